import type { HealthReport } from '../adapter/contract.js';

/**
 * What a queue consumer and publisher need of a broker, whatever it is:
 * RabbitMQ (adapters/amqp) or the in-memory transport (adapters/memq). The
 * retry, dead-letter and exactly-once logic (consumer.ts) is written once
 * over this; a transport only moves bytes and confirms.
 */

/** One attempt that failed, as the dead-letter headers list them. */
export interface AttemptRecord {
  /** ISO time of the failure. */
  readonly at: string;
  readonly code: string;
  readonly detail?: string;
}

/** A delivery as the consumer sees it. */
export interface QueuedMessage {
  /** The message id: the key of exactly-once processing (AMQP message-id / CloudEvents id). */
  readonly id: string | undefined;
  readonly body: Buffer;
  readonly contentType: string;
  /** String-valued application headers, names lower-cased (cloudEvents:*, traceparent, …). */
  readonly headers: Readonly<Record<string, string>>;
  /** 1 for the first delivery to the route, counted across delay-queue round trips. */
  readonly attempt: number;
  readonly history: readonly AttemptRecord[];
  /** Where a requester waits for the route's reply (AMQP reply-to), and the id it matches it by. */
  readonly replyTo?: string;
  readonly correlationId?: string;
}

/** A reply a requester received. */
export interface QueuedReply {
  readonly body: Buffer;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The gateway's own headers on a message that goes round a delay queue or to the DLQ. */
export const H = {
  attempt: 'x-lt-attempt',
  history: 'x-lt-history',
  code: 'x-lt-code',
  reason: 'x-lt-reason',
  route: 'x-lt-route',
  queue: 'x-lt-queue',
  deadAt: 'x-lt-dead-at',
  replayedAt: 'x-lt-replayed-at',
} as const;

/** What becomes of one delivery; each resolves once the broker has taken the change. */
export interface DeliveryControl {
  /** Done with it (processed, or a duplicate). */
  ack(): Promise<void>;
  /**
   * Park a copy for `delayMs` (the binding's delay queue of that length) with
   * these headers, then ack the original: the queue behind it moves on.
   */
  retryLater(delayMs: number, headers: Record<string, string>): Promise<void>;
  /** Move it to the dead-letter queue with these headers, then ack the original. */
  deadLetter(headers: Record<string, string>): Promise<void>;
}

export type DeliveryHandler = (msg: QueuedMessage, ctl: DeliveryControl) => Promise<void>;

/** A message to publish. */
export interface OutgoingMessage {
  readonly id: string;
  readonly body: Buffer;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly replyTo?: string;
  readonly correlationId?: string;
}

export interface PublishTarget {
  readonly exchange: string;
  readonly routingKey: string;
}

export interface ConsumerHandle {
  /** Whether deliveries can arrive now (connected, and the broker has not cancelled it). */
  consuming(): boolean;
  /** Stop taking new deliveries; those taken may still be settled. */
  cancel(): Promise<void>;
  /** Release the consumer; what was taken but not settled goes back to the queue. */
  close(): Promise<void>;
}

export interface QueueTransport {
  /**
   * Deliver the queue's messages to `handler`, at most `prefetch` unsettled
   * at a time. Survives reconnects (the consumer is re-established).
   */
  consume(queue: string, prefetch: number, handler: DeliveryHandler): Promise<ConsumerHandle>;
  /**
   * Persistent, mandatory, confirmed: resolves once the broker has the
   * message; LT_QUEUE_UNROUTABLE when nothing is bound for it,
   * LT_QUEUE_NACKED, LT_QUEUE_UNAVAILABLE / LT_QUEUE_BUFFER_FULL while it is
   * unreachable past `deadline` (epoch ms).
   */
  publish(target: PublishTarget, msg: OutgoingMessage, deadline: number): Promise<void>;
  /**
   * Publishes as `publish` does with a reply-to address of this process's
   * own, and resolves with the reply carrying its correlation id;
   * LT_UPSTREAM_TIMEOUT when none came before `deadline`.
   */
  request(target: PublishTarget, msg: OutgoingMessage, deadline: number): Promise<QueuedReply>;
  /**
   * Whether a delivery's reply-to is a requester's reply address of this
   * transport (RabbitMQ's direct reply-to; a memq reply queue). Anything else
   * gets no reply: a producer must not make the gateway publish, with its
   * own credentials and signature, into a queue of its choosing.
   */
  isReplyAddress(replyTo: string): boolean;
  health(): HealthReport;
}

/** A reply that carries a refusal: its code (a responder gateway's dead-letter code). */
export const REPLY_CODE = 'x-lt-code';

/** Headers of a delivery, as strings: numbers and booleans converted, anything else dropped. */
export function stringHeaders(
  raw: Readonly<Record<string, unknown>> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'string') out[k.toLowerCase()] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k.toLowerCase()] = String(v);
    else if (Buffer.isBuffer(v)) out[k.toLowerCase()] = v.toString('utf8');
  }
  return out;
}

/** The attempt count and history a delivery carries in the gateway's headers; tolerant of junk. */
export function attemptOf(headers: Readonly<Record<string, string>>): {
  attempt: number;
  history: AttemptRecord[];
} {
  const n = Number(headers[H.attempt]);
  const attempt = Number.isInteger(n) && n >= 1 && n < 1_000_000 ? n : 1;
  let history: AttemptRecord[] = [];
  const h = headers[H.history];
  if (h && h.length <= 64 * 1024) {
    try {
      const parsed: unknown = JSON.parse(h);
      if (Array.isArray(parsed)) history = parsed.filter(isAttemptRecord).slice(-50);
    } catch {
      history = [];
    }
  }
  return { attempt, history };
}

function isAttemptRecord(v: unknown): v is AttemptRecord {
  const r = v as AttemptRecord;
  return (
    typeof r === 'object' && r !== null && typeof r.at === 'string' && typeof r.code === 'string'
  );
}
