import { Type, type Static } from '@sinclair/typebox';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { RunningSimulator } from '../../src/adapter/spec.js';
import type { GatewayError } from '../../src/message/errors.js';
import { FAULTS_OPTION, FaultInjector, cutOff, readBody } from '../../src/simulator/faults.js';
import { listenSimulator } from '../../src/simulator/listen.js';
import {
  fileHashMatches,
  fileOfBody,
  sdkFileHash,
  utf8Header,
  verifySdkRequest,
} from './axis/sdk-headers.js';
import { asciiJson } from './axis/replies.js';
import { axisTime, Mailboxes, type MailItem, type SimAgency } from './sim-mailboxes.js';

/**
 * The national document interchange axis, simulated (product: DOMAIN.md §3).
 * Agencies with ids and mailboxes; the SDK's operations on POST
 * `…/<operation>` (routed on the last path segment, so the SDK's `//getEdoc`
 * works); every request's XroadVnpt signed headers checked as a receiver
 * must; replies always HTTP 200 JSON `{status, ErrorCode, ErrorDesc, …}` with
 * non-ASCII escaped (the SDK reads sendEdoc's reply as US-ASCII); the same
 * file re-sent by the same sender answered with the same DocId. Also the
 * WSO2-fronted LGSP variant under `/truclienthong/v1.0.0` with a bearer token
 * from `/token`. Faults: `POST /__sim/faults`, per operation name; what is in
 * the mailboxes: `GET /__sim/mailboxes`.
 *
 * The FAIL codes are the simulator's own (DOMAIN.md gives none of the real
 * axis's): 400 bad request, 401 signature, 403 not this agency's, 404 no
 * such document or agency, 422 hash-file mismatch, 500 injected fault.
 */

export const VdxpSimAgencySchema = Type.Object(
  {
    organId: Type.String({ minLength: 1, description: 'Organisation id, e.g. 000.00.00.H57' }),
    name: Type.String({ default: '', description: 'Agency name' }),
    systemId: Type.String({ minLength: 1, description: 'systemid its SDK sends' }),
    secret: Type.String({ minLength: 1, description: 'Secret of its XroadVnpt-hash-header HMAC' }),
    consumerKey: Type.Optional(Type.String({ description: 'LGSP variant: WSO2 consumer key' })),
    consumerSecret: Type.Optional(
      Type.String({ description: 'LGSP variant: WSO2 consumer secret' }),
    ),
  },
  { additionalProperties: false },
);

export const VdxpSimulatorSchema = Type.Object(
  {
    agencies: Type.Array(VdxpSimAgencySchema, {
      default: [],
      description: 'Registered agencies (more can register with registerAgency)',
    }),
    lenientHex: Type.Boolean({
      default: false,
      description: 'Accept an HMAC in hex without leading zeros per byte (hand-written clients)',
    }),
    maxFileBytes: Type.Integer({
      minimum: 1024,
      default: 32 * 1024 * 1024,
      description: 'Largest sendEdoc body',
    }),
    faults: Type.Optional(FAULTS_OPTION),
  },
  { additionalProperties: false, description: 'The document interchange axis (VDXP)' },
);
export type VdxpSimulatorOptions = Static<typeof VdxpSimulatorSchema>;

export interface VdxpSimulator extends RunningSimulator {
  readonly faults: FaultInjector;
  readonly mailboxes: Mailboxes;
}

class AxisFail extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

function answer(res: ServerResponse, body: Record<string, unknown>): void {
  res.statusCode = 200;
  res.setHeader('content-type', 'application/json');
  res.end(asciiJson(body));
}

const ok = (extra: Record<string, unknown> = {}) => ({
  status: 'OK',
  ErrorCode: '0',
  ErrorDesc: 'Thành công',
  ...extra,
});

function receivedEntry(i: MailItem) {
  return {
    docId: i.docId,
    serviceType: 'eDoc',
    messageType: i.messageType,
    created_time: axisTime(i.createdAt),
    updated_time: axisTime(i.updatedAt),
    from: i.from,
    to: i.to,
    status: i.status,
    status_desc: i.status,
  };
}

function sentEntry(i: MailItem) {
  return {
    senderDocId: i.senderDocId,
    receiverDocId: i.docId,
    fromCode: i.from,
    toCode: i.to,
    sendStatus: 'done',
    sendStatusDesc: 'done',
    receiveStatus: i.status,
    receiveStatusDesc: i.status,
    notation: '',
    title: '',
    sentTime: axisTime(i.createdAt),
    receivedTime: i.status === 'initial' ? '' : axisTime(i.updatedAt),
  };
}

const ACK: Record<string, MailItem['status']> = {
  done: 'done',
  fail: 'fail',
  processing: 'processing',
  DONE: 'done',
  FAIL: 'fail',
  PROCESSING: 'processing',
  INITIAL: 'initial',
};

/** Two demo agencies, their secrets made now (`lienthong simulate vdxp` without options). */
function demoAgencies(): SimAgency[] {
  return [
    { organId: '000.00.00.H57', name: 'Demo agency A', systemId: 'demo.h57' },
    { organId: '000.00.00.H41', name: 'Demo agency B', systemId: 'demo.h41' },
  ].map((a) => ({ ...a, secret: randomBytes(16).toString('hex') }));
}

export async function startVdxpSimulator(opts: {
  host?: string;
  port?: number;
  options: VdxpSimulatorOptions;
  log?: Logger;
}): Promise<VdxpSimulator> {
  const o = opts.options;
  const agencies = o.agencies.length
    ? o.agencies.map((a) => ({ ...a }) as SimAgency)
    : demoAgencies();
  if (!o.agencies.length)
    opts.log?.info(
      {
        agencies: agencies.map(({ organId, systemId, secret }) => ({ organId, systemId, secret })),
      },
      'no agencies configured: two demo agencies with fresh secrets',
    );
  const mailboxes = new Mailboxes(agencies);
  const faults = new FaultInjector(o.faults ?? {});
  const tokens = new Map<string, { organId: string; until: number }>();

  /** The calling agency, from its signed headers. */
  function sdkCaller(req: IncomingMessage): { agency: SimAgency; params: Record<string, string> } {
    try {
      const v = verifySdkRequest(req.headers, {
        secretOf: (id) => mailboxes.bySystemId(id)?.secret,
        lenientHex: o.lenientHex,
      });
      return { agency: mailboxes.bySystemId(v.systemId)!, params: { ...v.params } };
    } catch (err) {
      throw new AxisFail('401', (err as GatewayError).detail ?? 'signature');
    }
  }

  function need(params: Record<string, string>, name: string): string {
    const v = params[name];
    if (v === undefined || v === '') throw new AxisFail('400', `missing parameter ${name}`);
    return v;
  }

  function receiversOf(text: string): string[] {
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch {
      throw new AxisFail('400', 'to is not JSON');
    }
    if (!Array.isArray(list) || list.length === 0) throw new AxisFail('400', 'to is empty');
    return list.map((r) => {
      const id = (r as { OrganId?: unknown })?.OrganId;
      if (typeof id !== 'string' || !mailboxes.agency(id))
        throw new AxisFail('404', `no agency ${String(id)}`);
      return id;
    });
  }

  function sendFile(
    agency: SimAgency,
    to: string[],
    messageType: string,
    file: Buffer,
    hash: string,
  ) {
    if (messageType !== 'edoc' && messageType !== 'status')
      throw new AxisFail('400', `messagetype ${messageType}`);
    return mailboxes.send(agency.organId, to, messageType, file, hash);
  }

  function ownItem(agency: SimAgency, docId: string): MailItem {
    const item = mailboxes.item(agency.organId, docId);
    if (!item) throw new AxisFail('404', `no document ${docId}`);
    return item;
  }

  /** The SDK's operations. */
  function sdkOperation(op: string, req: IncomingMessage, body: Buffer): Record<string, unknown> {
    const { agency, params } = sdkCaller(req);
    switch (op) {
      case 'sendEdoc': {
        const from = need(params, 'from');
        if (from !== agency.organId) throw new AxisFail('403', `${from} is not this agency`);
        const hash = need(params, 'hash-file');
        if (!fileHashMatches(hash, body)) throw new AxisFail('422', 'hash-file does not match');
        const file = fileOfBody(hash, body);
        const to = receiversOf(need(params, 'to'));
        return ok({ DocId: sendFile(agency, to, need(params, 'messagetype'), file, hash) });
      }
      case 'getReceivedEdocList':
        return ok({
          data: mailboxes.received(agency.organId, params.messagetype ?? 'edoc').map(receivedEntry),
        });
      case 'getEdoc':
        return ok({ data: ownItem(agency, need(params, 'docId')).file.toString('base64') });
      case 'updateStatus': {
        const item = ownItem(agency, need(params, 'docId'));
        const status = ACK[need(params, 'status')];
        if (!status || status === 'initial') throw new AxisFail('400', 'status');
        item.status = status;
        item.updatedAt = new Date();
        return ok();
      }
      case 'getSentEdocList':
        return ok({ data: mailboxes.sent(agency.organId).map(sentEntry) });
      case 'countReceiveEdoc':
      case 'countReceiveStatus': {
        const type = op === 'countReceiveEdoc' ? 'edoc' : 'status';
        return ok({ count: mailboxes.received(agency.organId, type).length });
      }
      case 'getAgenciesList':
        return ok({
          data: mailboxes.list().map((a) => ({
            id: a.organId,
            code: a.organId,
            name: a.name,
            mail: '',
            pid: '',
            oldCode: '',
          })),
        });
      case 'registerAgency': {
        let a: Record<string, unknown>;
        try {
          a = JSON.parse(body.toString('utf8'));
        } catch {
          throw new AxisFail('400', 'body is not JSON');
        }
        if (typeof a.code !== 'string' || a.code === '') throw new AxisFail('400', 'code');
        if (mailboxes.agency(a.code)) throw new AxisFail('400', `${a.code} is registered`);
        // A new agency gets a system id and secret of its own, as the axis's operator would issue.
        const secret = randomBytes(16).toString('hex');
        const systemId = `sim.${a.code}`;
        mailboxes.register({
          organId: a.code,
          name: typeof a.name === 'string' ? a.name : '',
          systemId,
          secret,
        });
        return ok({ data: { systemId, secret } });
      }
      default:
        throw new AxisFail('404', `no operation ${op}`);
    }
  }

  /** The LGSP variant: WSO2 token, then /truclienthong/v1.0.0/vanbans… with a bearer token. */
  function lgspOperation(
    method: string,
    rest: string,
    query: URLSearchParams,
    req: IncomingMessage,
    body: Buffer,
  ): Record<string, unknown> {
    const auth = req.headers.authorization ?? '';
    const t = tokens.get(auth.replace(/^Bearer +/i, ''));
    if (!t || t.until < Date.now()) throw new AxisFail('900901', 'Invalid Credentials');
    const agency = mailboxes.agency(t.organId)!;
    if (utf8Header(req.headers.secretdonvi) !== agency.secret)
      throw new AxisFail('401', 'secretDonVi');
    const seg = rest.split('/').filter(Boolean);
    if (seg[0] !== 'vanbans') throw new AxisFail('900906', 'No matching resource found');
    if (seg.length === 1 && method === 'GET')
      return ok({
        data: mailboxes
          .received(agency.organId, query.get('messageType') ?? 'edoc')
          .map(receivedEntry),
      });
    if (seg.length === 1 && method === 'POST') {
      let b: { base64Edxml?: unknown; loaiVanBan?: unknown; to?: unknown };
      try {
        b = JSON.parse(body.toString('utf8'));
      } catch {
        throw new AxisFail('400', 'body is not JSON');
      }
      if (typeof b.base64Edxml !== 'string') throw new AxisFail('400', 'base64Edxml');
      const file = Buffer.from(b.base64Edxml, 'base64');
      const to = receiversOf(JSON.stringify(b.to ?? []));
      const type = b.loaiVanBan === 'status' ? 'status' : 'edoc';
      return ok({ DocId: sendFile(agency, to, type, file, sdkFileHash(file)) });
    }
    const docId = decodeURIComponent(seg[1] ?? '');
    if (seg.length === 2 && method === 'GET')
      return ok({ data: ownItem(agency, docId).file.toString('base64') });
    if (seg.length === 2 && method === 'PUT') {
      const item = ownItem(agency, docId);
      const status = ACK[query.get('status') ?? ''];
      if (!status) throw new AxisFail('400', 'status');
      item.status = status;
      item.updatedAt = new Date();
      return ok();
    }
    throw new AxisFail('900906', 'No matching resource found');
  }

  function issueToken(req: IncomingMessage, res: ServerResponse): void {
    const basic = /^Basic +(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const [key, secret] = Buffer.from(basic, 'base64').toString('utf8').split(':');
    const agency = key ? mailboxes.byConsumerKey(key) : undefined;
    if (!agency || !agency.consumerSecret || agency.consumerSecret !== secret) {
      res.statusCode = 401;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          fault: { code: 900901, message: 'Invalid Credentials', description: 'token' },
        }),
      );
      return;
    }
    const token = randomBytes(24).toString('hex');
    tokens.set(token, { organId: agency.organId, until: Date.now() + 3600_000 });
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        access_token: token,
        scope: 'default',
        token_type: 'Bearer',
        expires_in: 3600,
      }),
    );
  }

  const server = createServer(async (req, res) => {
    let body: Buffer;
    if (Number(req.headers['content-length'] ?? 0) > o.maxFileBytes) {
      // Answered as the axis would, without reading the body; the connection closes after.
      res.setHeader('connection', 'close');
      answer(res, { status: 'FAIL', ErrorCode: '400', ErrorDesc: 'body too large', DocId: '' });
      return;
    }
    try {
      body = await readBody(req, o.maxFileBytes);
    } catch {
      answer(res, { status: 'FAIL', ErrorCode: '400', ErrorDesc: 'body too large', DocId: '' });
      return;
    }
    if (faults.handleControl(req, res, body)) return;
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/__sim/mailboxes') {
      // What is where, for a user watching their own client (no file contents, no secrets).
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          agencies: mailboxes
            .list()
            .map(({ organId, name, systemId }) => ({ organId, name, systemId })),
          items: mailboxes
            .all()
            .map((i) => ({ ...sentEntry(i), messageType: i.messageType, bytes: i.file.length })),
        }),
      );
      return;
    }
    if (path === '/healthz') {
      res.end('ok');
      return;
    }
    if (req.method === 'POST' && path === '/token') {
      issueToken(req, res);
      return;
    }
    const lgsp = /^\/truclienthong\/v1\.0\.0(\/.*)$/.exec(path);
    // Route on the last path segment: the SDK joins endpoint and operation as strings.
    const op = lgsp ? `lgsp:${req.method}` : (path.split('/').filter(Boolean).pop() ?? '');
    const fault = await faults.decide(lgsp ? 'lgsp' : op);
    if (fault === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault === 'error') {
      res.statusCode = 500;
      res.setHeader('content-type', 'text/html');
      res.end('<html><body><h1>500 Internal Server Error</h1></body></html>');
      return;
    }
    let reply: Record<string, unknown>;
    try {
      if (fault === 'fault') throw new AxisFail('500', 'injected fault');
      reply = lgsp
        ? lgspOperation(req.method ?? 'GET', lgsp[1], url.searchParams, req, body)
        : sdkOperation(op, req, body);
    } catch (err) {
      if (!(err instanceof AxisFail)) {
        opts.log?.error({ err }, 'vdxp simulator failed');
        reply = { status: 'FAIL', ErrorCode: '500', ErrorDesc: 'internal' };
      } else {
        if (err.errorCode.startsWith('9009')) {
          // WSO2's own errors are its fault JSON with an HTTP status, not the axis's reply.
          res.statusCode = err.errorCode === '900906' ? 404 : 401;
          res.setHeader('content-type', 'application/json');
          res.end(
            JSON.stringify({
              fault: { code: Number(err.errorCode), message: err.message, description: '' },
            }),
          );
          return;
        }
        reply = { status: 'FAIL', ErrorCode: err.errorCode, ErrorDesc: err.message };
      }
      if (op === 'sendEdoc' || op === 'lgsp:POST') reply.DocId = '';
    }
    if (fault === 'garbage') {
      res.setHeader('content-type', 'application/json');
      res.end(cutOff(asciiJson(reply)));
      return;
    }
    answer(res, reply);
  });
  const { url, close } = await listenSimulator(server, opts.host, opts.port);
  return { url, faults, mailboxes, close };
}
