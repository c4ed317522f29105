import { GatewayError } from '../../../src/message/errors.js';
import { badReplyError } from '../../../src/message/provider-said.js';

/**
 * The axis's replies (DOMAIN.md §3): JSON `{status, ErrorCode, ErrorDesc, …}`,
 * always HTTP 200. `status: "OK"` with ErrorCode "0" is success; anything
 * else the axis said is LT_VDXP_AXIS_REFUSED with its code and text kept for
 * the log (data.provider). A reply that is not that JSON — an HTML error page
 * from a proxy, a cut-off body, a missing field — is LT_UPSTREAM_BAD_REPLY:
 * never read as an empty mailbox, which is what the SDK itself does.
 */

export interface AxisReply {
  readonly status: string;
  readonly ErrorCode: string;
  readonly ErrorDesc: string;
  readonly [field: string]: unknown;
}

function bad(endpoint: string, why: string, raw: Buffer): never {
  throw badReplyError(endpoint, new Error(`${why}: ${raw.subarray(0, 200).toString('utf8')}`));
}

/** Reads one reply; the fields an operation needs are checked by its own reader below. */
export function axisReply(endpoint: string, httpStatus: number, raw: Buffer): AxisReply {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    bad(endpoint, `reply (HTTP ${httpStatus}) is not JSON`, raw);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    bad(endpoint, 'reply is not a JSON object', raw);
  const r = body as Record<string, unknown>;
  for (const f of ['status', 'ErrorCode', 'ErrorDesc'] as const)
    if (typeof r[f] !== 'string') bad(endpoint, `reply has no string ${f}`, raw);
  const reply = r as AxisReply;
  if (reply.status !== 'OK' || reply.ErrorCode !== '0')
    throw new GatewayError(
      'LT_VDXP_AXIS_REFUSED',
      `${endpoint}: the axis answered ${reply.status} ${reply.ErrorCode}`,
      { endpoint, provider: { ErrorCode: reply.ErrorCode, ErrorDesc: reply.ErrorDesc } },
    );
  return reply;
}

/** A field every item of a list must carry as a string. */
export function stringsIn<K extends string>(
  endpoint: string,
  raw: Buffer,
  items: unknown,
  fields: readonly K[],
): Record<K, string>[] {
  if (!Array.isArray(items)) bad(endpoint, 'data is not an array', raw);
  return items.map((item, i) => {
    if (typeof item !== 'object' || item === null)
      bad(endpoint, `data[${i}] is not an object`, raw);
    const o = item as Record<string, unknown>;
    for (const f of fields)
      if (typeof o[f] !== 'string') bad(endpoint, `data[${i}].${f} is not a string`, raw);
    return o as Record<K, string>;
  });
}

/** A reply field that must be a string. */
export function stringField(endpoint: string, raw: Buffer, reply: AxisReply, name: string): string {
  const v = reply[name];
  if (typeof v !== 'string') bad(endpoint, `reply has no string ${name}`, raw);
  return v;
}

/**
 * JSON as the axis writes it: every non-ASCII character as \uXXXX (the SDK
 * reads sendEdoc's reply as US-ASCII). For the simulator and the facade.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
