import { Type, type Static } from '@sinclair/typebox';

/**
 * Options every queue consumer has, whatever the broker (adapters/amqp,
 * adapters/memq put them in their `from:` schema), and every queue
 * publisher's event options. One schema: validation, defaults and docs.
 */
export const QUEUE_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,200}$';

export const RetrySchema = Type.Object(
  {
    maxAttempts: Type.Integer({
      minimum: 1,
      maximum: 100,
      default: 5,
      description:
        'Deliveries to the route before a retryable failure goes to the dead-letter queue (a non-retryable one goes at once)',
    }),
    delaysMs: Type.Array(Type.Integer({ minimum: 100, maximum: 86_400_000 }), {
      minItems: 1,
      maxItems: 10,
      default: [1000, 5000, 30000],
      description:
        'Wait before the n-th retry (ascending); the last one repeats. Each is a delay queue <queue>.delay.<ms> whose TTL dead-letters back into the queue',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Retries with growing delays' },
);

export const ExactlyOnceSchema = Type.Object(
  {
    leaseMs: Type.Integer({
      minimum: 100,
      maximum: 3_600_000,
      default: 60_000,
      description:
        'How long a delivery holds its message id while the route runs; after a crash the id is free again after this. Keep it above the route’s deadline',
    }),
    keepMs: Type.Integer({
      minimum: 1000,
      default: 7 * 86_400_000,
      description:
        'How long a processed message id is remembered (redeliveries within it are acked, not run)',
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'The seen-ids record in the store (shared by every instance)',
  },
);

/** The consumer part of a queue `from:` binding. */
export const consumerFields = {
  queue: Type.String({ pattern: QUEUE_NAME_PATTERN, description: 'Queue the route consumes' }),
  prefetch: Type.Integer({
    minimum: 1,
    maximum: 10_000,
    default: 32,
    description: 'Unacknowledged deliveries at a time (bounds memory and parallel exchanges)',
  }),
  maxBytes: Type.Integer({
    minimum: 1,
    default: 1_048_576,
    description: 'A larger message is dead-lettered with LT_BODY_TOO_LARGE',
  }),
  retry: RetrySchema,
  exactlyOnce: ExactlyOnceSchema,
  deadLetterQueue: Type.Optional(
    Type.String({ pattern: QUEUE_NAME_PATTERN, description: 'Default <queue>.dlq' }),
  ),
};

/** The event part of a queue endpoint's options. */
export const publisherFields = {
  exchange: Type.String({ description: "Exchange to publish to ('' = the default exchange)" }),
  routingKey: Type.String({
    default: '',
    description: 'Routing key (default exchange: the queue name)',
  }),
  cloudEvents: Type.Union([Type.Literal('binary'), Type.Literal('structured')], {
    default: 'binary',
    description:
      'CloudEvents 1.0 AMQP binding: binary = cloudEvents:* headers + the data as body; structured = one application/cloudevents+json document',
  }),
  source: Type.String({
    default: '/lienthong',
    description: 'CloudEvents source (a URI reference naming this gateway)',
  }),
  requestReply: Type.Boolean({
    default: false,
    description:
      'Request/reply: publish with a reply-to address of this instance and answer the caller with the reply (matched by correlation id) within the route’s deadline; false: answer 202 with the message id once confirmed',
  }),
  type: Type.Optional(Type.String({ description: "CloudEvents type; default the route's id" })),
};

export const PublisherSchema = Type.Object(publisherFields);
export type PublisherOptions = Static<typeof PublisherSchema>;
export type RetryOptions = Static<typeof RetrySchema>;
export type ExactlyOnceOptions = Static<typeof ExactlyOnceSchema>;

/** Default dead-letter queue name. */
export const dlqOf = (b: { queue: string; deadLetterQueue?: string }): string =>
  b.deadLetterQueue ?? `${b.queue}.dlq`;

/** Name of the delay queue for one delay. */
export const delayQueueOf = (queue: string, ms: number): string => `${queue}.delay.${ms}`;

/** Problems `lienthong check` reports for a consumer binding. */
export function checkRetry(r: Partial<RetryOptions> | undefined): string[] {
  const out: string[] = [];
  if (!r?.delaysMs) return out;
  const d = r.delaysMs;
  for (let i = 1; i < d.length; i++) {
    if (d[i] < d[i - 1]) out.push('retry.delaysMs must be ascending');
  }
  return out;
}
