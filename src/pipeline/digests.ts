import type { Exchange, Message } from '../message/index.js';
import { sha256b64url } from '../security/jws.js';

/**
 * The bytes a message is (or will be) on the wire. A message built as a
 * value gets its JSON form once, which is then what is signed, digested and
 * sent, so the three always agree.
 */
export function bytesOf(msg: Message): Buffer {
  if (!msg.raw) {
    msg.raw = Buffer.from(JSON.stringify(msg.body ?? null));
    if (!msg.contentType) msg.contentType = 'application/json';
  }
  return msg.raw;
}

/**
 * Digest of the request the caller sent: bound into every reply signature
 * (as X-Road binds request and response) and written to the sharing log.
 * Never sets the request's raw bytes (the caller's request stays as it came).
 */
export function requestDigestOf(ex: Exchange): string {
  return (ex.requestDigest ??= sha256b64url(
    ex.request.raw ?? Buffer.from(JSON.stringify(ex.request.body ?? null)),
  ));
}

/**
 * Digest of the reply the caller gets, or undefined when there is none (a
 * refusal). sign-reply sets it over the bytes it signed; otherwise the raw
 * bytes, or the body's JSON form, without fixing that form as the reply's
 * bytes (the inbound adapter renders a reply without raw bytes its own way).
 */
export function replyDigestOf(ex: Exchange): string | undefined {
  if (ex.replyDigest) return ex.replyDigest;
  const reply = ex.reply;
  if (!reply) return undefined;
  return (ex.replyDigest = sha256b64url(
    reply.raw ?? Buffer.from(JSON.stringify(reply.body ?? null)),
  ));
}
