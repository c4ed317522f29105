import { Type, type Static } from '@sinclair/typebox';
import { Pool } from 'undici';
import { httpExchange } from '../../../src/adapter/http-exchange.js';
import { GatewayError } from '../../../src/message/errors.js';
import { axisReply, stringField, stringsIn, type AxisReply } from './replies.js';
import { sdkFileHash, sdkTimestamp, signSdkRequest } from './sdk-headers.js';

/**
 * A client of the national document interchange axis, speaking the vendor
 * SDK's protocol (DOMAIN.md §3) — or the WSO2-fronted LGSP variant of it
 * (DOMAIN.md §1, pattern A). Every call goes through `httpExchange`, the one
 * way outbounds call HTTP, so size limits and cancellation are the gateway's.
 */

export const AxisLgspSchema = Type.Object(
  {
    basePath: Type.String({
      default: '/truclienthong/v1.0.0',
      description: 'WSO2 API context and version of the document API',
    }),
    tokenPath: Type.String({ default: '/token', description: 'OAuth2 token path on the gateway' }),
    consumerKey: Type.String({ minLength: 1, description: 'WSO2 application consumer key' }),
    consumerSecret: Type.String({ minLength: 1, description: 'WSO2 application consumer secret' }),
    secretDonVi: Type.String({
      minLength: 1,
      description:
        "The agency's secret (secretDonVi); sent as a header of that name (DOMAIN.md does not say whether the LGSP wants a header or a query parameter)",
    }),
  },
  { additionalProperties: false, description: 'The WSO2-fronted LGSP variant (bearer token)' },
);

export const AxisClientSchema = Type.Object(
  {
    organId: Type.String({ minLength: 1, description: "This agency's organisation id (From)" }),
    organName: Type.String({ default: '', description: "This agency's name" }),
    systemId: Type.String({ default: '', description: 'systemid the axis registered (SDK mode)' }),
    secret: Type.String({
      default: '',
      description: 'Secret the XroadVnpt-hash-header HMAC is keyed with (SDK mode)',
    }),
    lgsp: Type.Optional(AxisLgspSchema),
    maxReplyBytes: Type.Integer({
      minimum: 1024,
      default: 64 * 1024 * 1024,
      description:
        'Larger axis replies are refused (LT_UPSTREAM_BAD_REPLY); getEdoc carries base64 files',
    }),
  },
  { additionalProperties: false },
);
export type AxisClientOptions = Static<typeof AxisClientSchema>;

export type MessageType = 'edoc' | 'status';
export type AckStatus = 'done' | 'fail' | 'processing';

export interface ReceivedItem {
  docId: string;
  messageType: string;
  from: string;
  to: string;
  status: string;
  created_time: string;
}

export interface SentItem {
  senderDocId: string;
  receiverDocId: string;
  fromCode: string;
  toCode: string;
  sendStatus: string;
  receiveStatus: string;
}

export interface Agency {
  id: string;
  code: string;
  name: string;
  mail: string;
  pid: string;
}

export interface Receiver {
  OrganId: string;
  OrganName: string;
}

export interface AxisClient {
  sendEdoc(
    file: Buffer,
    to: readonly Receiver[],
    messageType: MessageType,
    signal?: AbortSignal,
  ): Promise<string>;
  getReceivedEdocList(messageType: MessageType, signal?: AbortSignal): Promise<ReceivedItem[]>;
  getEdoc(docId: string, signal?: AbortSignal): Promise<Buffer>;
  updateStatus(docId: string, status: AckStatus, signal?: AbortSignal): Promise<void>;
  getSentEdocList(signal?: AbortSignal): Promise<SentItem[]>;
  count(what: 'edoc' | 'status', signal?: AbortSignal): Promise<number>;
  getAgenciesList(signal?: AbortSignal): Promise<Agency[]>;
  registerAgency(agency: Record<string, string>, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

const RECEIVED_FIELDS = ['docId', 'messageType', 'from', 'to', 'status', 'created_time'] as const;
const SENT_FIELDS = [
  'senderDocId',
  'receiverDocId',
  'fromCode',
  'toCode',
  'sendStatus',
  'receiveStatus',
] as const;
const AGENCY_FIELDS = ['id', 'code', 'name'] as const;

/** The SDK's status words for updateStatus, as the LGSP's PUT spells them. */
const LGSP_STATUS: Record<AckStatus, string> = {
  done: 'DONE',
  fail: 'FAIL',
  processing: 'PROCESSING',
};

export function axisClient(
  opts: AxisClientOptions,
  url: string,
  endpoint: string,
  now: () => Date = () => new Date(),
): AxisClient {
  const base = new URL(url);
  const pool = new Pool(base.origin, { connections: 8, pipelining: 1 });
  const prefix = base.pathname.replace(/\/$/, '');
  // The SDK fixes its timestamp when its object is built (DOMAIN.md §3); so does this client.
  const timestamp = sdkTimestamp(now());
  if (!opts.lgsp && (!opts.systemId || !opts.secret))
    throw new GatewayError('LT_CONFIG_INVALID', `${endpoint}: systemId and secret are required`);

  async function call(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    headers: Record<string, string>,
    body: Buffer | string | undefined,
    signal?: AbortSignal,
  ): Promise<{ reply: AxisReply; raw: Buffer }> {
    const res = await httpExchange(pool, {
      method,
      path,
      headers,
      body,
      signal,
      maxBytes: opts.maxReplyBytes,
      endpoint,
    });
    // The SDK ignores the HTTP status and reads the JSON (DOMAIN.md §3); a WSO2
    // gateway in front answers its own errors with other statuses and bodies.
    if (res.status === 401 || res.status === 403)
      throw new GatewayError('LT_UPSTREAM_AUTH', `${endpoint}: HTTP ${res.status}`, {
        endpoint,
        provider: res.body.subarray(0, 200).toString('utf8'),
      });
    return { reply: axisReply(endpoint, res.status, res.body), raw: res.body };
  }

  /** SDK mode: POST endpoint/op with the signed parameter headers. */
  function sdk(
    op: string,
    params: ReadonlyArray<readonly [string, string]>,
    body: Buffer | string | undefined,
    extra: Record<string, string> = {},
    signal?: AbortSignal,
  ) {
    const signed = signSdkRequest(
      { systemId: opts.systemId, secret: opts.secret },
      timestamp,
      params,
    );
    // The SDK sends header values as UTF-8 bytes; an HTTP client writes a header's
    // characters as bytes, so each value goes as the characters of its UTF-8 bytes.
    const headers: Record<string, string> = { ...extra };
    for (const [k, v] of Object.entries(signed))
      headers[k] = Buffer.from(v, 'utf8').toString('latin1');
    return call('POST', `${prefix}/${op}`, headers, body, signal);
  }

  let token: { value: string; until: number } | undefined;
  async function bearer(signal?: AbortSignal): Promise<Record<string, string>> {
    const l = opts.lgsp!;
    if (!token || token.until <= Date.now()) {
      const basic = Buffer.from(`${l.consumerKey}:${l.consumerSecret}`).toString('base64');
      const res = await httpExchange(pool, {
        method: 'POST',
        path: `${prefix}${l.tokenPath}`,
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
        signal,
        maxBytes: 64 * 1024,
        endpoint,
      });
      let t: { access_token?: unknown; expires_in?: unknown } = {};
      try {
        t = JSON.parse(res.body.toString('utf8'));
      } catch {
        /* refused below */
      }
      if (res.status !== 200 || typeof t.access_token !== 'string')
        throw new GatewayError('LT_UPSTREAM_AUTH', `${endpoint}: no token from the LGSP`, {
          endpoint,
          provider: res.body.subarray(0, 200).toString('utf8'),
        });
      const life = typeof t.expires_in === 'number' ? t.expires_in : 300;
      token = { value: t.access_token, until: Date.now() + Math.max(life - 30, 1) * 1000 };
    }
    return { authorization: `Bearer ${token.value}`, secretDonVi: l.secretDonVi };
  }
  const lgspPath = (rest = '') => `${prefix}${opts.lgsp!.basePath}${rest}`;

  const lgspClient: Partial<AxisClient> = {
    async sendEdoc(file, to, messageType, signal) {
      const headers = { ...(await bearer(signal)), 'content-type': 'application/json' };
      const body = JSON.stringify({
        base64Edxml: file.toString('base64'),
        loaiVanBan: messageType === 'edoc' ? 'edoc' : 'status',
        to,
      });
      const { reply, raw } = await call('POST', lgspPath('/vanbans'), headers, body, signal);
      return stringField(endpoint, raw, reply, 'DocId');
    },
    async getReceivedEdocList(messageType, signal) {
      const q = `?messageType=${messageType}`;
      const { reply, raw } = await call(
        'GET',
        lgspPath(`/vanbans${q}`),
        await bearer(signal),
        undefined,
        signal,
      );
      return stringsIn(endpoint, raw, reply.data, RECEIVED_FIELDS);
    },
    async getEdoc(docId, signal) {
      const path = lgspPath(`/vanbans/${encodeURIComponent(docId)}`);
      const { reply, raw } = await call('GET', path, await bearer(signal), undefined, signal);
      return Buffer.from(stringField(endpoint, raw, reply, 'data'), 'base64');
    },
    async updateStatus(docId, status, signal) {
      const path = lgspPath(`/vanbans/${encodeURIComponent(docId)}?status=${LGSP_STATUS[status]}`);
      await call('PUT', path, await bearer(signal), undefined, signal);
    },
  };

  const sdkClient: AxisClient = {
    async sendEdoc(file, to, messageType, signal) {
      const params: [string, string][] = [
        ['from', opts.organId],
        ['to', JSON.stringify(to)],
        ['servicetype', 'eDoc'],
        ['messagetype', messageType],
        ['hash-file', sdkFileHash(file)],
      ];
      // The SDK sends the file followed by CRLF; hash-file covers the file alone.
      const body = Buffer.concat([file, Buffer.from('\r\n')]);
      const { reply, raw } = await sdk(
        'sendEdoc',
        params,
        body,
        { 'content-type': 'application/octet-stream' },
        signal,
      );
      return stringField(endpoint, raw, reply, 'DocId');
    },
    async getReceivedEdocList(messageType, signal) {
      const { reply, raw } = await sdk(
        'getReceivedEdocList',
        [
          ['servicetype', 'eDoc'],
          ['messagetype', messageType],
        ],
        undefined,
        {},
        signal,
      );
      return stringsIn(endpoint, raw, reply.data, RECEIVED_FIELDS);
    },
    async getEdoc(docId, signal) {
      const { reply, raw } = await sdk('getEdoc', [['docId', docId]], '{}', json, signal);
      return Buffer.from(stringField(endpoint, raw, reply, 'data'), 'base64');
    },
    async updateStatus(docId, status, signal) {
      await sdk(
        'updateStatus',
        [
          ['docId', docId],
          ['status', status],
        ],
        '{}',
        json,
        signal,
      );
    },
    async getSentEdocList(signal) {
      const { reply, raw } = await sdk('getSentEdocList', [], undefined, {}, signal);
      return stringsIn(endpoint, raw, reply.data, SENT_FIELDS);
    },
    async count(what, signal) {
      const op = what === 'edoc' ? 'countReceiveEdoc' : 'countReceiveStatus';
      const { reply, raw } = await sdk(op, [], '{}', json, signal);
      const n = Number(reply.count);
      if (!Number.isInteger(n) || n < 0)
        throw new GatewayError('LT_UPSTREAM_BAD_REPLY', `${endpoint}: count is not a number`, {
          endpoint,
          provider: raw.subarray(0, 200).toString('utf8'),
        });
      return n;
    },
    async getAgenciesList(signal) {
      const { reply, raw } = await sdk('getAgenciesList', [], '{}', json, signal);
      return stringsIn(endpoint, raw, reply.data, AGENCY_FIELDS) as unknown as Agency[];
    },
    async registerAgency(agency, signal) {
      await sdk('registerAgency', [], JSON.stringify(agency), json, signal);
    },
    close: () => pool.close(),
  };
  if (!opts.lgsp) return sdkClient;
  // The LGSP's generated client has no list of sent documents, counters or registration here.
  const unsupported = (op: string) => () =>
    Promise.reject(
      new GatewayError('LT_CONFIG_INVALID', `${endpoint}: ${op} is not offered by the LGSP API`),
    );
  return {
    ...sdkClient,
    getSentEdocList: unsupported('getSentEdocList'),
    count: unsupported('count'),
    getAgenciesList: unsupported('getAgenciesList'),
    registerAgency: unsupported('registerAgency'),
    ...lgspClient,
  } as AxisClient;
}

const json = { 'content-type': 'application/json' };
