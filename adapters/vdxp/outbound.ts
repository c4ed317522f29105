import { Type, type Static } from '@sinclair/typebox';
import { readFileSync } from 'node:fs';
import type { Outbound, OutboundContext } from '../../src/adapter/spec.js';
import { GatewayError } from '../../src/message/errors.js';
import type { Message } from '../../src/message/index.js';
import { axisClient, AxisClientSchema, type AxisClient } from './axis/client.js';
import {
  edxmlOfDocument,
  edxmlOfStatus,
  type Delivery,
  type JsonDocument,
  type JsonStatus,
  type Self,
} from './documents.js';
import { signEdxml, statusMeaning } from './edxml/index.js';
import { Tracking } from './tracking.js';
import type { AckStatus, MessageType, Receiver } from './axis/client.js';

/**
 * The axis as an endpoint: one agency's mailbox on the national axis (or the
 * simulator). Its operations serve the JSON routes (routes/vdxp.yaml):
 * `sendDocument` (JSON → edXML, signed, sendEdoc), `sendStatus` (a status
 * message answering a received document), `documentStatus` (the statuses
 * that came back, from the store) and `recordStatus` (where the mailbox
 * poller routes incoming status messages).
 */

export const VdxpSigningSchema = Type.Object(
  {
    keyFile: Type.String({ minLength: 1, description: 'PEM private key (RSA or P-256)' }),
    certFile: Type.String({ minLength: 1, description: 'PEM certificate written in KeyInfo' }),
  },
  { additionalProperties: false, description: 'Sign every edXML file sent (enveloped XML-DSig)' },
);

export const VdxpEndpointSchema = Type.Composite(
  [AxisClientSchema, Type.Object({ signing: Type.Optional(VdxpSigningSchema) })],
  { additionalProperties: false, description: "One agency's mailbox on the document axis" },
);
export type VdxpEndpoint = Static<typeof VdxpEndpointSchema>;

/** The operations relayed to the axis (those a local system's SDK calls). */
export const FACADE_OPERATIONS = [
  'sendEdoc',
  'getReceivedEdocList',
  'getEdoc',
  'updateStatus',
  'getSentEdocList',
  'countReceiveEdoc',
  'countReceiveStatus',
  'getAgenciesList',
] as const;

export const VDXP_OPERATIONS = [
  'sendDocument',
  'sendStatus',
  'documentStatus',
  'recordStatus',
  'attachment',
  // The axis facade's (facade.ts): the SDK operation named in the body, relayed.
  'relay',
];

/** What the facade hands the `relay` operation: the SDK operation and its verified parameters. */
interface RelayBody {
  op: string;
  params: Record<string, string>;
}

const REPLY_TYPE = 'application/json; charset=utf-8';

function reply(body: unknown): Message {
  return {
    body,
    raw: Buffer.from(JSON.stringify(body)),
    contentType: REPLY_TYPE,
    headers: {},
  };
}

function bodyOf<T>(msg: Message): T {
  if (typeof msg.body !== 'object' || msg.body === null)
    throw new GatewayError('LT_CONTRACT_REQUEST', 'a JSON object is expected');
  return msg.body as T;
}

/** The outbound, with its axis client for the mailbox poller (same credentials, same pool). */
export interface VdxpOutbound extends Outbound {
  readonly axis: AxisClient;
  readonly tracking: Tracking;
  readonly self: Self;
  /** Signs a file as this endpoint signs what it sends (unchanged without `signing`). */
  signed(file: Buffer): Buffer;
}

export function isVdxpOutbound(o: Outbound): o is VdxpOutbound {
  return 'axis' in o && 'tracking' in o;
}

export function vdxpOutbound(
  cfg: VdxpEndpoint,
  ctx: OutboundContext,
  client: AxisClient = axisClient(cfg, ctx.url, ctx.name),
): VdxpOutbound {
  if (!ctx.store)
    throw new GatewayError('LT_CONFIG_INVALID', `${ctx.name}: the vdxp endpoint needs the store`);
  const tracking = new Tracking(ctx.store, ctx.name);
  const self: Self = { organId: cfg.organId, organName: cfg.organName };
  const signing = cfg.signing && {
    privateKey: readFileSync(cfg.signing.keyFile, 'utf8'),
    certificate: readFileSync(cfg.signing.certFile, 'utf8'),
  };
  const signed = (file: Buffer) => (signing ? signEdxml(file, signing) : file);

  const operations: Record<string, (msg: Message, signal: AbortSignal) => Promise<Message>> = {
    async sendDocument(msg, signal) {
      const doc = bodyOf<JsonDocument>(msg);
      // A caller's own DocumentId must be new: the status route and the answers key on it.
      const given = doc.header?.DocumentId;
      if (given && (await tracking.sentRecord(given)))
        throw new GatewayError('LT_EDXML_INVALID', `DocumentId ${given} was already sent`);
      const built = edxmlOfDocument(doc, self);
      const to = (built.message.header!.To ?? []).map((o) => ({
        OrganId: o.OrganId ?? '',
        OrganName: o.OrganName ?? '',
      }));
      const docId = await client.sendEdoc(signed(built.file), to, 'edoc', signal);
      await tracking.sent({
        documentId: built.documentId,
        docId,
        to: to.map((t) => t.OrganId),
        subject: built.message.header!.Subject ?? '',
        sentAt: new Date().toISOString(),
      });
      return reply({ documentId: built.documentId, docId });
    },
    async sendStatus(msg, signal) {
      const s = bodyOf<JsonStatus>(msg);
      const about = await tracking.receivedRecord(s.documentId);
      if (!about)
        throw new GatewayError(
          'LT_VDXP_DOCUMENT_NOT_FOUND',
          `no document ${s.documentId} was received`,
        );
      const file = edxmlOfStatus(s, about, self);
      const to = [{ OrganId: about.from, OrganName: about.fromName }];
      const docId = await client.sendEdoc(signed(file), to, 'status', signal);
      return reply({ documentId: s.documentId, statusCode: s.statusCode, docId });
    },
    async documentStatus(msg) {
      const { documentId } = bodyOf<{ documentId: string }>(msg);
      const sent = await tracking.sentRecord(String(documentId));
      if (!sent)
        throw new GatewayError('LT_VDXP_DOCUMENT_NOT_FOUND', `no document ${documentId} was sent`);
      return reply({ ...sent, statuses: await tracking.statuses(sent.documentId) });
    },
    async attachment(msg) {
      const { docId, index } = bodyOf<{ docId: string; index: string }>(msg);
      const n = Number(index);
      const a =
        Number.isInteger(n) && n >= 0
          ? await tracking.storedAttachment(String(docId), n)
          : undefined;
      if (!a)
        throw new GatewayError('LT_VDXP_DOCUMENT_NOT_FOUND', `no attachment ${index} of ${docId}`);
      const bytes = Buffer.from(a.content, 'base64');
      return {
        body: null,
        raw: bytes,
        // The type the document declared is the sender's word: served as bytes, named for download.
        contentType: 'application/octet-stream',
        headers: {
          'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(a.name)}`,
          'x-vdxp-content-type': a.contentType.replace(/[^\x20-\x7e]/g, ''),
        },
      };
    },
    async recordStatus(msg) {
      const d = bodyOf<Delivery>(msg);
      const st = d.status;
      const about = st?.ResponseFor?.DocumentId;
      if (d.kind !== 'status' || !st || !about || !st.StatusCode)
        throw new GatewayError(
          'LT_EDXML_INVALID',
          'a status message naming its document is expected',
        );
      // The axis says who sent it (the poller passes it on); the edXML's own From is the sender's word.
      const sender = msg.headers['x-vdxp-from'] || st.From?.OrganId || '';
      const sent = await tracking.sentRecord(about);
      if (sent && !sent.to.includes(sender))
        throw new GatewayError(
          'LT_EDXML_INVALID',
          `a status about ${about} from ${sender}, to which it was not sent`,
          { sender },
        );
      await tracking.status(about, {
        code: st.StatusCode,
        meaning: statusMeaning(st.StatusCode)?.en ?? 'unknown',
        description: st.Description ?? '',
        timestamp: st.Timestamp ?? '',
        from: sender,
        ...(st.StaffInfo && { staff: st.StaffInfo }),
        docId: d.docId,
      });
      return reply({ recorded: about, statusCode: st.StatusCode });
    },
  };

  /** The facade's relays: the SDK's operation, its verified parameters, sent with this endpoint's credentials. */
  const param = (msg: Message, name: string) => {
    const v = bodyOf<RelayBody>(msg).params?.[name];
    if (typeof v !== 'string' || v === '')
      throw new GatewayError('LT_CONTRACT_REQUEST', `parameter ${name} is required`);
    return v;
  };
  const messageType = (msg: Message): MessageType =>
    bodyOf<{ params: Record<string, string> }>(msg).params?.messagetype === 'status'
      ? 'status'
      : 'edoc';
  const relays: typeof operations = {
    async sendEdoc(msg, signal) {
      let to: Receiver[];
      try {
        to = JSON.parse(param(msg, 'to')) as Receiver[];
      } catch {
        throw new GatewayError('LT_CONTRACT_REQUEST', 'parameter to is not JSON');
      }
      if (!Array.isArray(to) || !msg.raw)
        throw new GatewayError('LT_CONTRACT_REQUEST', 'a file and its receivers are required');
      return reply({ DocId: await client.sendEdoc(msg.raw, to, messageType(msg), signal) });
    },
    async getReceivedEdocList(msg, signal) {
      return reply({ data: await client.getReceivedEdocList(messageType(msg), signal) });
    },
    async getEdoc(msg, signal) {
      return reply({
        data: (await client.getEdoc(param(msg, 'docId'), signal)).toString('base64'),
      });
    },
    async updateStatus(msg, signal) {
      const status = param(msg, 'status');
      if (status !== 'done' && status !== 'fail' && status !== 'processing')
        throw new GatewayError(
          'LT_CONTRACT_REQUEST',
          `status ${status} is not done, fail or processing`,
        );
      await client.updateStatus(param(msg, 'docId'), status as AckStatus, signal);
      return reply({});
    },
    async getSentEdocList(_msg, signal) {
      return reply({ data: await client.getSentEdocList(signal) });
    },
    async countReceiveEdoc(_msg, signal) {
      return reply({ count: await client.count('edoc', signal) });
    },
    async countReceiveStatus(_msg, signal) {
      return reply({ count: await client.count('status', signal) });
    },
    async getAgenciesList(_msg, signal) {
      return reply({ data: await client.getAgenciesList(signal) });
    },
  };
  operations.relay = (msg, signal) => {
    const { op } = bodyOf<RelayBody>(msg);
    const relay = typeof op === 'string' && Object.hasOwn(relays, op) ? relays[op] : undefined;
    if (!relay) throw new GatewayError('LT_ROUTE_NOT_FOUND', `${String(op)} is not relayed`);
    return relay(msg, signal);
  };

  return {
    axis: client,
    tracking,
    self,
    signed,
    // Reads may be retried; a send may not (the axis answers a repeat with the same DocId, but
    // a status sent twice is two messages).
    idempotent: (msg) =>
      msg.operation === 'documentStatus' ||
      msg.operation === 'recordStatus' ||
      msg.operation === 'attachment' ||
      (msg.operation === 'relay' &&
        ['getReceivedEdocList', 'getEdoc'].includes(String((msg.body as RelayBody)?.op))),
    async send(msg, _ex, signal) {
      const op =
        msg.operation && Object.hasOwn(operations, msg.operation)
          ? operations[msg.operation]
          : undefined;
      if (!op)
        throw new GatewayError('LT_CONFIG_INVALID', `${ctx.name}: no operation ${msg.operation}`);
      return op(msg, signal);
    },
    close: () => client.close(),
  };
}
