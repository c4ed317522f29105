import type { Logger } from 'pino';
import type { HealthReport } from '../adapter/contract.js';
import type { InboundBinding, InboundContext } from '../adapter/spec.js';
import type { RouteDef } from '../config/schema.js';
import { GatewayError, toGatewayError, type Message } from '../message/index.js';
import { isJsonType } from '../message/media-type.js';
import { decodeEvent } from './cloudevents.js';
import { QueueStats } from './metrics.js';
import type { ExactlyOnceOptions, RetryOptions } from './schema.js';
import { SeenIds, seenNamespace } from './seen.js';
import { randomUUID } from 'node:crypto';
import {
  H,
  REPLY_CODE,
  type ConsumerHandle,
  type DeliveryControl,
  type QueuedMessage,
  type QueueTransport,
} from './transport.js';

/** How long a reply may wait for the broker. */
const REPLY_PUBLISH_MS = 5000;

/** The request header the route's pipeline (and a publishing outbound) finds the message id in. */
export const MESSAGE_ID_HEADER = 'x-lt-message-id';

export interface ConsumerConfig {
  readonly queue: string;
  readonly prefetch: number;
  readonly maxBytes: number;
  readonly retry: RetryOptions;
  readonly exactlyOnce: ExactlyOnceOptions;
}

/**
 * A queue-fed route: each delivery runs the route's pipeline through
 * `ctx.settle` and is acknowledged only after it finished. What the error
 * table calls retryable goes round a delay queue (growing delays) until
 * `retry.maxAttempts`, then to the dead-letter queue; anything else goes to
 * the dead-letter queue at once, with code, reason and attempt history in its
 * headers. A failing message never waits in the queue: the ones behind it
 * keep flowing. Exactly once at the route: see seen.ts.
 */
export function queueBinding(
  name: string,
  route: RouteDef,
  cfg: ConsumerConfig,
  transport: QueueTransport,
  ctx: InboundContext,
): InboundBinding {
  const log: Logger = ctx.log.child({ queue: cfg.queue, route: route.id });
  const seen = new SeenIds(
    ctx.store,
    seenNamespace(route.id),
    cfg.exactlyOnce.leaseMs,
    cfg.exactlyOnce.keepMs,
  );
  const stats = QueueStats.for(cfg.queue);
  let handle: ConsumerHandle | undefined;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const delayFor = (attempt: number): number =>
    cfg.retry.delaysMs[Math.min(attempt - 1, cfg.retry.delaysMs.length - 1)];

  async function fail(msg: QueuedMessage, ctl: DeliveryControl, err: GatewayError, retry: boolean) {
    const history = [
      ...msg.history,
      { at: new Date().toISOString(), code: err.code, detail: err.detail?.slice(0, 300) },
    ];
    const common = {
      [H.history]: JSON.stringify(history),
      [H.route]: route.id,
      [H.queue]: cfg.queue,
    };
    if (retry && msg.attempt < cfg.retry.maxAttempts) {
      stats.retried.inc();
      await ctl.retryLater(delayFor(msg.attempt), {
        ...common,
        [H.attempt]: String(msg.attempt + 1),
      });
      return;
    }
    stats.deadLettered.inc();
    log.warn({ id: msg.id, code: err.code, attempt: msg.attempt }, 'dead-lettered');
    // A requester waiting for the reply learns the refusal instead of waiting out its deadline.
    await answer(
      msg,
      Buffer.from(JSON.stringify({ code: err.code, detail: err.detail ?? err.spec.en })),
      'application/json',
      { [REPLY_CODE]: err.code },
    );
    await ctl.deadLetter({
      ...common,
      [H.attempt]: String(msg.attempt),
      [H.code]: err.code,
      [H.reason]: (err.detail ?? err.spec.en).slice(0, 1000),
      [H.deadAt]: new Date().toISOString(),
    });
  }

  /** The route's reply to a message that named a reply-to address; best effort, the work is done. */
  async function answer(
    msg: QueuedMessage,
    body: Buffer,
    contentType: string,
    headers: Record<string, string>,
  ): Promise<void> {
    if (!msg.replyTo) return;
    if (!transport.isReplyAddress(msg.replyTo)) {
      log.warn({ id: msg.id }, 'reply-to is not a reply address: no reply sent');
      return;
    }
    await transport
      .publish(
        { exchange: '', routingKey: msg.replyTo },
        {
          id: randomUUID(),
          body,
          contentType,
          headers,
          correlationId: msg.correlationId ?? msg.id,
        },
        Date.now() + REPLY_PUBLISH_MS,
      )
      .catch((err: unknown) =>
        log.warn({ id: msg.id, code: toGatewayError(err).code }, 'reply not delivered'),
      );
  }

  async function handle1(msg: QueuedMessage, ctl: DeliveryControl): Promise<void> {
    stats.consumed.inc();
    let request: Message;
    let id: string;
    try {
      ({ request, id } = toRequest(msg, cfg.maxBytes));
    } catch (err) {
      await fail(msg, ctl, toGatewayError(err), false);
      return;
    }
    let state;
    try {
      state = await seen.claim(id);
    } catch (err) {
      await fail(msg, ctl, toGatewayError(err), true);
      return;
    }
    if (state === 'done') {
      stats.duplicates.inc();
      await ctl.ack();
      return;
    }
    if (state === 'busy') {
      // Another delivery of this id is running (or crashed with its lease): come back later,
      // without spending an attempt.
      stats.retried.inc();
      await ctl.retryLater(delayFor(1), { [H.attempt]: String(msg.attempt) });
      return;
    }
    const res = await ctx.settle({ request, channel: 'amqp' });
    if (res.kind === 'done') {
      if (!(await seen.complete(id).catch(() => false))) {
        log.warn({ id }, 'lease on the message id was lost before completion');
      }
      const reply = res.exchange.reply;
      if (reply) {
        await answer(
          msg,
          reply.raw ?? Buffer.from(JSON.stringify(reply.body ?? null)),
          reply.contentType || 'application/json',
          { ...reply.headers },
        );
      }
      await ctl.ack();
      stats.acked.inc();
      return;
    }
    await seen.release(id).catch(() => false);
    await fail(msg, ctl, res.error, res.kind === 'retry');
  }

  return {
    name,
    async start() {
      handle = await transport.consume(cfg.queue, cfg.prefetch, async (msg, ctl) => {
        inFlight++;
        stats.inFlight.inc();
        try {
          await handle1(msg, ctl);
        } catch (err) {
          // The broker could not take the ack or the copy (connection lost): the
          // delivery is unacknowledged and comes back; the seen-ids record keeps it once.
          log.warn({ err, id: msg.id }, 'delivery left unacknowledged');
        } finally {
          inFlight--;
          stats.inFlight.dec();
          if (inFlight === 0) idle?.();
        }
      });
    },
    async stop(deadline) {
      const h = handle;
      handle = undefined;
      if (!h) return;
      await h.cancel().catch(() => {});
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          idle = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
      await h.close().catch(() => {});
    },
    health(): HealthReport {
      const t = transport.health();
      const consuming = handle?.consuming() ?? false;
      return {
        ok: t.ok && consuming,
        detail: {
          ...t.detail,
          queue: cfg.queue,
          consuming,
          ...stats.snapshot(),
        },
      };
    },
  };
}

/** A delivery as the route's request: CloudEvents unwrapped, JSON parsed, the id in a header. */
export function toRequest(msg: QueuedMessage, maxBytes: number): { request: Message; id: string } {
  if (msg.body.length > maxBytes) {
    throw new GatewayError(
      'LT_BODY_TOO_LARGE',
      `message of ${msg.body.length} bytes over ${maxBytes}`,
    );
  }
  const ev = decodeEvent(msg.body, msg.contentType || 'application/json', msg.headers);
  const id = msg.id ?? ev.id;
  if (!id || id.length > 256 || id.includes('\u0000')) {
    throw new GatewayError(
      'LT_QUEUE_MESSAGE_INVALID',
      'a message needs a message-id (or cloudEvents:id) of at most 256 characters',
    );
  }
  let body: unknown = null;
  if (isJsonType(ev.contentType)) {
    try {
      body = JSON.parse(ev.data.toString('utf8'));
    } catch {
      throw new GatewayError('LT_BAD_JSON', 'the message body is not JSON');
    }
  }
  return {
    id,
    request: {
      body,
      raw: ev.data,
      contentType: ev.contentType,
      headers: { ...ev.headers, [MESSAGE_ID_HEADER]: id },
    },
  };
}
