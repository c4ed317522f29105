import { GatewayError } from '../message/errors.js';
import { isJsonType } from '../message/media-type.js';
import { SIGNATURE_HEADER } from '../security/envelope.js';

/**
 * CloudEvents 1.0 over AMQP (the AMQP protocol binding): in binary mode the
 * event's attributes are application properties named `cloudEvents:<attr>`
 * (RabbitMQ: message headers), the data is the message body and
 * `datacontenttype` is the content-type property; in structured mode the
 * whole event is a JSON document (`application/cloudevents+json`).
 *
 * The gateway's signature travels as the extension attribute `ltjws`: the
 * detached JWS (envelope key, `typ: lt-out+jws`) over the exact data bytes,
 * verifiable against the gateway's /.well-known/jwks.json
 * (docs/adapters/amqp.md has consumers in TypeScript and Python).
 */
export const CE_PREFIX = 'cloudEvents:';
export const CE_STRUCTURED = 'application/cloudevents+json';
/** Extension attribute carrying the gateway's detached JWS over the data. */
export const CE_SIGNATURE = 'ltjws';

export interface EventAttributes {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly time: string;
  readonly subject?: string;
  readonly traceparent?: string;
}

export type CloudEventsMode = 'binary' | 'structured';

/** Headers and body of an event in the chosen mode; the signature header becomes `ltjws`. */
export function encodeEvent(
  mode: CloudEventsMode,
  attrs: EventAttributes,
  data: Buffer,
  contentType: string,
  headers: Readonly<Record<string, string>>,
): { body: Buffer; contentType: string; headers: Record<string, string> } {
  const signature = headers[SIGNATURE_HEADER];
  const ce: Record<string, string> = { specversion: '1.0', ...definedOnly(attrs) };
  if (signature) ce[CE_SIGNATURE] = signature;
  if (mode === 'binary') {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(ce)) out[CE_PREFIX + k] = v;
    return { body: data, contentType, headers: out };
  }
  // data_base64 keeps the exact bytes the signature covers.
  const doc = { ...ce, datacontenttype: contentType, data_base64: data.toString('base64') };
  return { body: Buffer.from(JSON.stringify(doc)), contentType: CE_STRUCTURED, headers: {} };
}

function definedOnly(attrs: EventAttributes): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * A delivery's event: a structured one unwrapped (its data, content type and
 * attributes), a binary one as it is. Non-CloudEvents messages pass unchanged.
 * LT_QUEUE_MESSAGE_INVALID when a structured event cannot be read.
 */
export function decodeEvent(
  body: Buffer,
  contentType: string,
  headers: Readonly<Record<string, string>>,
): { data: Buffer; contentType: string; id?: string; headers: Record<string, string> } {
  const lower = contentType.toLowerCase();
  if (!lower.startsWith(CE_STRUCTURED)) {
    const id = headers[`${CE_PREFIX}id`.toLowerCase()];
    return { data: body, contentType, id, headers: { ...headers } };
  }
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new GatewayError('LT_QUEUE_MESSAGE_INVALID', 'structured CloudEvent is not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || typeof doc.id !== 'string') {
    throw new GatewayError('LT_QUEUE_MESSAGE_INVALID', 'structured CloudEvent without an id');
  }
  const dct = typeof doc.datacontenttype === 'string' ? doc.datacontenttype : 'application/json';
  let data: Buffer;
  if (typeof doc.data_base64 === 'string') data = Buffer.from(doc.data_base64, 'base64');
  else if (doc.data === undefined) data = Buffer.alloc(0);
  else if (typeof doc.data === 'string' && !isJsonType(dct)) data = Buffer.from(doc.data);
  else data = Buffer.from(JSON.stringify(doc.data));
  const out: Record<string, string> = { ...headers };
  for (const [k, v] of Object.entries(doc)) {
    if (k !== 'data' && k !== 'data_base64' && typeof v === 'string') {
      out[(CE_PREFIX + k).toLowerCase()] = v;
    }
  }
  return { data, contentType: dct, id: doc.id, headers: out };
}
