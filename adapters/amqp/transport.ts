import type { Channel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type { Logger } from 'pino';
import { GatewayError } from '../../src/message/errors.js';
import { randomUUID } from 'node:crypto';
import { observeConfirm } from '../../src/queue/metrics.js';
import { PendingReplies } from '../../src/queue/replies.js';
import { delayQueueOf } from '../../src/queue/schema.js';
import {
  attemptOf,
  stringHeaders,
  type ConsumerHandle,
  type DeliveryHandler,
  type OutgoingMessage,
  type PublishTarget,
  type QueuedReply,
  type QueueTransport,
} from '../../src/queue/transport.js';
import type { BrokerConnection } from './connection.js';

/** RabbitMQ's pseudo-queue for replies to the consuming channel itself. */
const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/** Per-publish tag, to match a basic.return (unroutable) with its confirm. */
const PUB_TAG = 'x-lt-pub';

/**
 * Publishing on one confirm channel per connection: persistent, mandatory;
 * resolves on the broker's ack, LT_QUEUE_UNROUTABLE when it returned the
 * message, LT_QUEUE_NACKED on a nack, LT_QUEUE_UNAVAILABLE when no confirm
 * came before the deadline or the channel died.
 */
export class Publisher {
  private ch?: Promise<ConfirmChannel>;
  private seq = 0;
  private readonly returned = new Set<string>();
  private readonly replies = new PendingReplies();
  /** Channels consuming RabbitMQ's direct reply-to pseudo-queue. */
  private readonly replying = new WeakMap<ConfirmChannel, Promise<unknown>>();

  constructor(private readonly conn: BrokerConnection) {}

  health() {
    return this.conn.health();
  }

  private channel(): Promise<ConfirmChannel> {
    if (!this.ch) {
      const p = this.conn.confirmChannel().then((ch) => {
        ch.on('return', (m: { properties: { headers?: Record<string, unknown> } }) => {
          const tag = m.properties.headers?.[PUB_TAG];
          if (typeof tag === 'string') this.returned.add(tag);
        });
        ch.on('close', () => {
          if (this.ch === p) this.ch = undefined;
        });
        return ch;
      });
      p.catch(() => {
        if (this.ch === p) this.ch = undefined;
      });
      this.ch = p;
    }
    return this.ch;
  }

  /**
   * Request/reply over RabbitMQ's direct reply-to (`amq.rabbitmq.reply-to`):
   * the reply comes to the publishing channel itself, no queue to declare or
   * delete; matched by a correlation id of this request's own.
   */
  async request(
    target: PublishTarget,
    msg: OutgoingMessage,
    deadline: number,
  ): Promise<QueuedReply> {
    await this.conn.waitUp(deadline);
    const ch = await this.channel().catch((err: Error) => {
      throw new GatewayError('LT_QUEUE_UNAVAILABLE', `no channel to the broker (${err.message})`);
    });
    let consuming = this.replying.get(ch);
    if (!consuming) {
      consuming = ch.consume(
        DIRECT_REPLY_TO,
        (m) => {
          if (!m) return;
          this.replies.settle(m.properties.correlationId, {
            body: m.content,
            contentType:
              typeof m.properties.contentType === 'string' ? m.properties.contentType : '',
            headers: stringHeaders(m.properties.headers),
          });
        },
        { noAck: true },
      );
      this.replying.set(ch, consuming);
    }
    await consuming;
    const correlationId = randomUUID();
    const reply = this.replies.wait(correlationId, deadline);
    try {
      await this.publish(target, { ...msg, replyTo: DIRECT_REPLY_TO, correlationId }, deadline);
    } catch (err) {
      this.replies.cancel(correlationId);
      reply.catch(() => {});
      throw err;
    }
    return reply;
  }

  async publish(target: PublishTarget, msg: OutgoingMessage, deadline: number): Promise<void> {
    await this.conn.waitUp(deadline);
    const ch = await this.channel().catch((err: Error) => {
      throw new GatewayError('LT_QUEUE_UNAVAILABLE', `no channel to the broker (${err.message})`);
    });
    const tag = `${process.pid}.${++this.seq}`;
    const props: Options.Publish = {
      persistent: true,
      mandatory: true,
      messageId: msg.id,
      contentType: msg.contentType,
      headers: { ...msg.headers, [PUB_TAG]: tag },
      timestamp: Math.floor(Date.now() / 1000),
      replyTo: msg.replyTo,
      correlationId: msg.correlationId,
    };
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new GatewayError(
              'LT_QUEUE_UNAVAILABLE',
              'the broker did not confirm the publish in time',
            ),
          ),
        Math.max(1, deadline - Date.now()),
      );
      try {
        ch.publish(target.exchange, target.routingKey, msg.body, props, (err) => {
          clearTimeout(timer);
          const unroutable = this.returned.delete(tag);
          if (err) reject(new GatewayError('LT_QUEUE_NACKED', 'the broker refused the message'));
          else if (unroutable) {
            reject(
              new GatewayError(
                'LT_QUEUE_UNROUTABLE',
                `no queue is bound to exchange "${target.exchange}" with key "${target.routingKey}"`,
              ),
            );
          } else resolve();
        });
      } catch (err) {
        clearTimeout(timer);
        reject(
          new GatewayError('LT_QUEUE_UNAVAILABLE', `publish failed (${(err as Error).message})`),
        );
      }
    });
    observeConfirm(target.exchange, performance.now() - t0);
  }
}

/** Where one consumer's retries and dead letters go. */
export interface ConsumerTopology {
  readonly deadLetterQueue: string;
}

/**
 * The QueueTransport of one consuming binding over a shared connection: a
 * confirm channel of its own per connection (prefetch applies to it), the
 * copies for delay queues and the dead-letter queue published on it and
 * confirmed before the original is acknowledged.
 */
export class AmqpTransport implements QueueTransport {
  constructor(
    private readonly conn: BrokerConnection,
    private readonly publisher: Publisher,
    private readonly topo: ConsumerTopology,
    private readonly log: Logger,
  ) {}

  publish(target: PublishTarget, msg: OutgoingMessage, deadline: number): Promise<void> {
    return this.publisher.publish(target, msg, deadline);
  }

  request(target: PublishTarget, msg: OutgoingMessage, deadline: number): Promise<QueuedReply> {
    return this.publisher.request(target, msg, deadline);
  }

  /** Only RabbitMQ's direct reply-to addresses (`amq.rabbitmq.reply-to.<token>`). */
  isReplyAddress(replyTo: string): boolean {
    return replyTo.startsWith(`${DIRECT_REPLY_TO}.`);
  }

  async consume(
    queue: string,
    prefetch: number,
    handler: DeliveryHandler,
  ): Promise<ConsumerHandle> {
    let current: { ch: ConfirmChannel; tag: string } | undefined;
    let cancelled = false;
    const setUp = async () => {
      if (cancelled) return;
      const ch = await this.conn.confirmChannel();
      await ch.prefetch(prefetch);
      const { consumerTag } = await ch.consume(queue, (m) => {
        if (m) void this.deliver(ch, queue, m, handler);
        // null: the broker cancelled the consumer (its queue was deleted); until the
        // next connection sets it up again, the binding reports itself not consuming.
        else if (current?.ch === ch) current = undefined;
      });
      current = { ch, tag: consumerTag };
      ch.on('close', () => {
        if (current?.ch === ch) current = undefined;
      });
    };
    const off = this.conn.onUp(setUp);
    return {
      consuming: () => current !== undefined,
      cancel: async () => {
        cancelled = true;
        off();
        if (current) await current.ch.cancel(current.tag).catch(() => {});
      },
      close: async () => {
        cancelled = true;
        off();
        const c = current;
        current = undefined;
        await c?.ch.close().catch(() => {});
      },
    };
  }

  private async deliver(
    ch: ConfirmChannel,
    queue: string,
    m: ConsumeMessage,
    handler: DeliveryHandler,
  ): Promise<void> {
    const headers = stringHeaders(m.properties.headers);
    delete headers[PUB_TAG];
    const { attempt, history } = attemptOf(headers);
    const copy = (routingKey: string, extra: Record<string, string>) =>
      confirmed(ch, '', routingKey, m.content, {
        persistent: true,
        messageId: m.properties.messageId,
        contentType: m.properties.contentType,
        correlationId: m.properties.correlationId,
        replyTo: m.properties.replyTo,
        headers: { ...(m.properties.headers ?? {}), ...extra },
      });
    await handler(
      {
        id: typeof m.properties.messageId === 'string' ? m.properties.messageId : undefined,
        body: m.content,
        contentType: typeof m.properties.contentType === 'string' ? m.properties.contentType : '',
        headers,
        attempt,
        history,
        replyTo: typeof m.properties.replyTo === 'string' ? m.properties.replyTo : undefined,
        correlationId:
          typeof m.properties.correlationId === 'string' ? m.properties.correlationId : undefined,
      },
      {
        ack: async () => ch.ack(m),
        retryLater: async (ms, h) => {
          await copy(delayQueueOf(queue, ms), h);
          ch.ack(m);
        },
        deadLetter: async (h) => {
          await copy(this.topo.deadLetterQueue, h);
          ch.ack(m);
        },
      },
    ).catch((err: unknown) => this.log.warn({ err }, 'delivery handler failed'));
  }

  health() {
    return this.conn.health();
  }
}

/** Publishes on a confirm channel and resolves on the broker's ack. */
export function confirmed(
  ch: ConfirmChannel | Channel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  props: Options.Publish,
): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      (ch as ConfirmChannel).publish(exchange, routingKey, content, props, (err) =>
        err
          ? reject(new GatewayError('LT_QUEUE_NACKED', 'the broker refused the copy'))
          : resolve(),
      );
    } catch (err) {
      reject(new GatewayError('LT_QUEUE_UNAVAILABLE', (err as Error).message));
    }
  });
}
