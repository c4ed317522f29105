import amqp, { type GetMessage } from 'amqplib';
import { H, stringHeaders } from '../../src/queue/transport.js';
import { confirmed } from './transport.js';

/**
 * `lienthong dlq …`: what an operator does with a dead-letter queue. Reading
 * takes messages without acknowledging them and puts them all back when the
 * channel closes, so list/show change nothing. Replay sends a dead letter
 * back to the queue it came from (header x-lt-queue) with its attempts
 * reset, its history kept and `x-lt-replayed-at` added, confirmed by the
 * broker before it leaves the dead-letter queue: it runs its route once more
 * (exactly once: it never completed, so its id is not marked done).
 */
export interface DeadLetter {
  readonly id?: string;
  readonly code?: string;
  readonly reason?: string;
  readonly attempt?: string;
  readonly route?: string;
  readonly queue?: string;
  readonly deadAt?: string;
  readonly history?: unknown;
  readonly bytes: number;
}

function summary(m: GetMessage): DeadLetter {
  const h = stringHeaders(m.properties.headers);
  let history: unknown;
  try {
    history = h[H.history] ? JSON.parse(h[H.history]) : undefined;
  } catch {
    history = h[H.history];
  }
  return {
    id: m.properties.messageId,
    code: h[H.code],
    reason: h[H.reason],
    attempt: h[H.attempt],
    route: h[H.route],
    queue: h[H.queue],
    deadAt: h[H.deadAt],
    history,
    bytes: m.content.length,
  };
}

async function withChannel<T>(
  url: string,
  fn: (ch: amqp.ConfirmChannel) => Promise<T>,
): Promise<T> {
  const conn = await amqp.connect(url, { timeout: 5000 });
  try {
    const ch = await conn.createConfirmChannel();
    try {
      return await fn(ch);
    } finally {
      await ch.close().catch(() => {});
    }
  } finally {
    await conn.close().catch(() => {});
  }
}

/** Up to `limit` messages taken, unacknowledged, in queue order. */
async function take(ch: amqp.Channel, dlq: string, limit: number): Promise<GetMessage[]> {
  const out: GetMessage[] = [];
  while (out.length < limit) {
    const m = await ch.get(dlq, { noAck: false });
    if (!m) break;
    out.push(m);
  }
  return out;
}

export function listDeadLetters(url: string, dlq: string, limit = 100): Promise<DeadLetter[]> {
  return withChannel(url, async (ch) => (await take(ch, dlq, limit)).map(summary));
}

export async function showDeadLetter(
  url: string,
  dlq: string,
  id: string,
  limit = 10_000,
): Promise<(DeadLetter & { body: string; headers: Record<string, string> }) | undefined> {
  return withChannel(url, async (ch) => {
    const m = (await take(ch, dlq, limit)).find((x) => x.properties.messageId === id);
    return m
      ? {
          ...summary(m),
          body: m.content.toString('utf8'),
          headers: stringHeaders(m.properties.headers),
        }
      : undefined;
  });
}

/** Replays the dead letters with this id (or all, without one); returns what was replayed. */
export function replayDeadLetters(
  url: string,
  dlq: string,
  opts: { id?: string; toQueue?: string; limit?: number } = {},
): Promise<DeadLetter[]> {
  return withChannel(url, async (ch) => {
    const replayed: DeadLetter[] = [];
    for (const m of await take(ch, dlq, opts.limit ?? 10_000)) {
      if (opts.id !== undefined && m.properties.messageId !== opts.id) continue;
      const s = summary(m);
      const target = opts.toQueue ?? s.queue;
      if (!target) continue; // not one of ours: left where it is
      await confirmed(ch, '', target, m.content, {
        persistent: true,
        messageId: m.properties.messageId,
        contentType: m.properties.contentType,
        correlationId: m.properties.correlationId,
        replyTo: m.properties.replyTo,
        headers: {
          ...(m.properties.headers ?? {}),
          [H.attempt]: '1',
          [H.replayedAt]: new Date().toISOString(),
        },
      });
      ch.ack(m);
      replayed.push(s);
    }
    return replayed;
  });
}

export async function purgeDeadLetters(url: string, dlq: string): Promise<number> {
  return withChannel(url, async (ch) => (await ch.purgeQueue(dlq)).messageCount);
}
