import type { Outbound } from '../adapter/contract.js';
import { GatewayError, type Exchange, type Message } from '../message/index.js';
import { encodeEvent } from './cloudevents.js';
import { MESSAGE_ID_HEADER } from './consumer.js';
import type { PublisherOptions } from './schema.js';
import { REPLY_CODE, type QueuedReply, type QueueTransport } from './transport.js';
import { isErrorCode } from '../message/errors.js';
import { isJsonType } from '../message/media-type.js';
import { SIGNATURE_HEADER } from '../security/envelope.js';

/**
 * A responder's reply as the route's reply: JSON parsed, its signature header
 * kept (so `verifyReplyWith` can check it); a refusal (REPLY_CODE) becomes
 * the same code, a reply that is not JSON where it claims to be LT_UPSTREAM_BAD_REPLY.
 */
function replyMessage(r: QueuedReply): Message {
  const refused = r.headers[REPLY_CODE];
  if (refused) {
    throw new GatewayError(
      isErrorCode(refused) ? refused : 'LT_UPSTREAM_ERROR',
      'the responder refused the message',
    );
  }
  let body: unknown = null;
  if (isJsonType(r.contentType)) {
    try {
      body = JSON.parse(r.body.toString('utf8'));
    } catch {
      throw new GatewayError('LT_UPSTREAM_BAD_REPLY', 'the reply is not JSON');
    }
  }
  const sig = r.headers[SIGNATURE_HEADER];
  return {
    body,
    raw: r.body,
    contentType: r.contentType,
    headers: sig ? { [SIGNATURE_HEADER]: sig } : {},
  };
}

/**
 * The id a published message carries. From a queue-fed route it is the
 * consumed message's id, so a crash between this publish and the ack
 * cannot make a second, distinct message (the consumer behind dedupes by
 * id); from any other inbound it is the exchange id. A header an HTTP caller
 * sends cannot choose it.
 */
export function publishedId(ex: Exchange): string {
  const consumed = ex.channel === 'amqp' ? ex.request.headers[MESSAGE_ID_HEADER] : undefined;
  return consumed ?? ex.id;
}

/**
 * An endpoint that delivers the route's message to an exchange, as a
 * CloudEvent carrying the gateway's signature (sign-outbound), persistent,
 * mandatory, confirmed. The caller's answer (202-style `{ messageId }`)
 * comes only after the broker's confirm.
 */
export function queueOutbound(
  opts: PublisherOptions,
  transport: Pick<QueueTransport, 'publish' | 'request' | 'health'>,
  close: () => Promise<void>,
): Outbound {
  return {
    encode(msg: Message) {
      if (!msg.raw) {
        msg.raw = Buffer.from(JSON.stringify(msg.body ?? null));
        msg.contentType ||= 'application/json';
      }
    },
    async send(msg, ex, signal) {
      this.encode!(msg, ex);
      const id = publishedId(ex);
      const ev = encodeEvent(
        opts.cloudEvents,
        {
          id,
          source: opts.source,
          type: opts.type ?? ex.routeId,
          time: new Date().toISOString(),
          traceparent: ex.request.headers.traceparent,
        },
        msg.raw!,
        msg.contentType || 'application/json',
        msg.headers,
      );
      const target = { exchange: opts.exchange, routingKey: opts.routingKey };
      if (signal.aborted) throw new GatewayError('LT_UPSTREAM_TIMEOUT', 'publish deadline passed');
      const outgoing = { id, body: ev.body, contentType: ev.contentType, headers: ev.headers };
      if (opts.requestReply)
        return replyMessage(await transport.request(target, outgoing, ex.deadline));
      await transport.publish(target, outgoing, ex.deadline);
      return {
        body: {
          messageId: id,
          exchange: opts.exchange,
          routingKey: opts.routingKey,
          status: 'accepted',
        },
        contentType: 'application/json',
        headers: {},
        status: 202,
      };
    },
    // A publish is not retried at once: a lost confirm would make a second copy (same id, though).
    idempotent: () => false,
    health: () => transport.health(),
    close,
  };
}
