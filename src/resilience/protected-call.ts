import CircuitBreaker from 'opossum';
import { Type, type Static } from '@sinclair/typebox';
import { GatewayError } from '../message/errors.js';
import { backoffDelay, sleep } from './backoff.js';
import { classifySendError, isProviderFailure, isRetryable } from './classify.js';

/**
 * One protected outbound endpoint: bulkhead → breaker → attempt with timeout
 * → retry. Created once per endpoint at start-up; an attempt costs a counter,
 * a timer and an AbortController.
 *
 * Retries and the breaker: every ATTEMPT goes through the breaker, not the
 * retry sequence as a whole. The breaker then sees the provider's real
 * failure rate (three timeouts are three pieces of evidence, not one), an
 * open breaker stops a retry sequence at once instead of letting it keep
 * hitting a provider already known to be down, and in halfOpen only one
 * attempt probes the provider.
 *
 * The bulkhead slot is held for the whole call, backoff pauses included, so
 * maxInFlight bounds the retries too.
 */

export type BreakerState = 'open' | 'halfOpen' | 'closed';

/** The outbound adapter's send: must stop work when the signal aborts. */
export type Send<M, R> = (msg: M, signal: AbortSignal) => Promise<R>;

export const ResilienceConfigSchema = Type.Object(
  {
    timeoutMs: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Per-attempt timeout; default 5000' }),
    ),
    retries: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 10,
        description: 'Extra attempts for idempotent calls; default 1',
      }),
    ),
    backoffMs: Type.Optional(
      Type.Integer({ minimum: 0, description: 'First backoff ceiling; default 100' }),
    ),
    maxBackoffMs: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Backoff ceiling; default 2000' }),
    ),
    breaker: Type.Optional(
      Type.Object(
        {
          errorThresholdPercentage: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
          volumeThreshold: Type.Optional(Type.Integer({ minimum: 0 })),
          resetTimeoutMs: Type.Optional(Type.Integer({ minimum: 1 })),
          rollingCountTimeoutMs: Type.Optional(Type.Integer({ minimum: 10 })),
        },
        { additionalProperties: false },
      ),
    ),
    bulkhead: Type.Optional(
      Type.Object(
        { maxInFlight: Type.Optional(Type.Integer({ minimum: 1 })) },
        { additionalProperties: false },
      ),
    ),
  },
  {
    additionalProperties: false,
    description: 'Timeout, retry, circuit breaker and bulkhead of an endpoint',
  },
);

/** What a route or endpoint configures; anything left out takes RESILIENCE_DEFAULTS. */
export type ResilienceConfig = Static<typeof ResilienceConfigSchema>;

export interface ResilienceOptions {
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  maxBackoffMs: number;
  breaker: {
    errorThresholdPercentage: number;
    volumeThreshold: number;
    resetTimeoutMs: number;
    rollingCountTimeoutMs: number;
  };
  bulkhead: { maxInFlight: number };
  /** Counts against the provider; default isProviderFailure (caller-side errors do not). */
  isBreakerFailure: (err: GatewayError) => boolean;
  /** Worth retrying an idempotent call; default isRetryable (timeout, unreachable, 5xx). */
  isRetryable: (err: GatewayError) => boolean;
  /** Jitter source in [0, 1); injectable for tests. */
  random: () => number;
}

export const RESILIENCE_DEFAULTS: Readonly<ResilienceOptions> = Object.freeze({
  timeoutMs: 5000,
  retries: 1,
  backoffMs: 100,
  maxBackoffMs: 2000,
  breaker: Object.freeze({
    errorThresholdPercentage: 50,
    volumeThreshold: 10,
    resetTimeoutMs: 30_000,
    rollingCountTimeoutMs: 10_000,
  }),
  bulkhead: Object.freeze({ maxInFlight: 100 }),
  isBreakerFailure: isProviderFailure,
  isRetryable,
  random: Math.random,
});

export interface ProtectedCallOptions
  extends
    ResilienceConfig,
    Partial<Pick<ResilienceOptions, 'isBreakerFailure' | 'isRetryable' | 'random'>> {}

export interface ResilienceHooks {
  onStateChange(name: string, state: BreakerState): void;
  onInFlight?(name: string, n: number): void;
}

export interface CallOptions {
  /** The caller's cancellation (client gone, shutdown). */
  signal?: AbortSignal;
  /**
   * The caller's deadline (epoch ms, as Date.now()): no attempt runs past it
   * and no backoff starts that would end after it. Reaching it is the
   * caller's LT_UPSTREAM_TIMEOUT, never a breaker failure. A number rather
   * than a signal: the exchange deadline then costs no AbortController,
   * timer and listener per exchange, only the attempt's own timer, shortened.
   */
  deadline?: number;
  /** Per-attempt timeout for this call; default the endpoint's timeoutMs. */
  timeoutMs?: number;
  /** Only idempotent calls are retried: a lookup may be repeated, a submission may not. */
  idempotent: boolean;
  /** Retries for this call (a route's own setting); default the endpoint's retries. */
  retries?: number;
}

export interface ProtectedCallStats {
  name: string;
  state: BreakerState;
  inFlight: number;
  maxInFlight: number;
  calls: number;
  successes: number;
  failures: number;
  attempts: number;
  retries: number;
  timeouts: number;
  bulkheadRejections: number;
  breakerRejections: number;
  cancellations: number;
}

export interface ProtectedCall<M, R> {
  readonly name: string;
  call(msg: M, opts: CallOptions): Promise<R>;
  state(): BreakerState;
  inFlight(): number;
  stats(): ProtectedCallStats;
  /** Stop the breaker's timers; later calls fail with LT_SHUTTING_DOWN. */
  shutdown(): void;
}

/** Complete options from a partial config; LT_CONFIG_INVALID for values that make no sense. */
export function resolveResilienceOptions(
  name: string,
  cfg: ProtectedCallOptions = {},
): ResilienceOptions {
  const d = RESILIENCE_DEFAULTS;
  const o: ResilienceOptions = {
    timeoutMs: cfg.timeoutMs ?? d.timeoutMs,
    retries: cfg.retries ?? d.retries,
    backoffMs: cfg.backoffMs ?? d.backoffMs,
    maxBackoffMs: cfg.maxBackoffMs ?? d.maxBackoffMs,
    breaker: { ...d.breaker, ...cfg.breaker },
    bulkhead: { ...d.bulkhead, ...cfg.bulkhead },
    isBreakerFailure: cfg.isBreakerFailure ?? d.isBreakerFailure,
    isRetryable: cfg.isRetryable ?? d.isRetryable,
    random: cfg.random ?? d.random,
  };
  const positive = [
    o.timeoutMs,
    o.bulkhead.maxInFlight,
    o.breaker.resetTimeoutMs,
    o.breaker.rollingCountTimeoutMs,
  ];
  const nonNegative = [o.retries, o.backoffMs, o.maxBackoffMs, o.breaker.volumeThreshold];
  const pct = o.breaker.errorThresholdPercentage;
  if (
    !positive.every((v) => Number.isFinite(v) && v > 0) ||
    !nonNegative.every((v) => Number.isFinite(v) && v >= 0) ||
    !(pct >= 0 && pct <= 100)
  ) {
    throw new GatewayError(
      'LT_CONFIG_INVALID',
      `resilience options of endpoint "${name}" are out of range`,
    );
  }
  return o;
}

/** Hooks feed metrics and logs; a bug there must not fail the call or confuse the breaker. */
function safe<A extends unknown[]>(fn: ((...args: A) => void) | undefined): (...args: A) => void {
  if (!fn) return () => {};
  return (...args) => {
    try {
      fn(...args);
    } catch {
      // Deliberately ignored: see above.
    }
  };
}

/**
 * Errors that come from the caller's own signal. They are never breaker
 * failures and never retried, whatever their code (a pipeline deadline may
 * abort with LT_UPSTREAM_TIMEOUT, which would otherwise count).
 */
const callerAborts = new WeakSet<object>();

function deadlineError(): GatewayError {
  const err = new GatewayError('LT_UPSTREAM_TIMEOUT', 'the exchange deadline passed');
  callerAborts.add(err);
  return err;
}

function callerAbortError(signal: AbortSignal): GatewayError {
  const reason: unknown = signal.reason;
  let err: GatewayError;
  if (reason instanceof GatewayError) err = reason;
  else if ((reason as { name?: unknown } | null)?.name === 'TimeoutError') {
    err = new GatewayError('LT_UPSTREAM_TIMEOUT', 'the caller’s deadline expired', undefined, {
      cause: reason,
    });
  } else {
    err = new GatewayError('LT_CANCELLED', undefined, undefined, { cause: reason });
  }
  callerAborts.add(err);
  return err;
}

export function createProtectedCall<M, R>(
  name: string,
  send: Send<M, R>,
  config: ProtectedCallOptions,
  hooks: ResilienceHooks,
): ProtectedCall<M, R> {
  const o = resolveResilienceOptions(name, config);
  const onStateChange = safe(hooks.onStateChange.bind(hooks));
  const onInFlight = safe(hooks.onInFlight?.bind(hooks));
  const counters = {
    calls: 0,
    successes: 0,
    failures: 0,
    attempts: 0,
    retries: 0,
    timeouts: 0,
    bulkheadRejections: 0,
    breakerRejections: 0,
    cancellations: 0,
  };
  let inFlight = 0;
  let shutDown = false;

  /** One attempt: send under a timer and the caller's signal, whichever fires first wins. */
  function attempt(
    msg: M,
    callerSignal: AbortSignal | undefined,
    timeoutMs: number,
    deadline: number,
  ): Promise<R> {
    counters.attempts++;
    // The caller's deadline comes first when it is nearer than the attempt's timeout.
    const left = deadline - Date.now();
    const byDeadline = left < timeoutMs;
    // A plain controller + setTimeout instead of AbortSignal.any/timeout: the
    // timer is cleared as soon as the attempt settles and we know which side
    // aborted without inspecting reasons.
    const ac = new AbortController();
    return new Promise<R>((resolve, reject) => {
      let settled = false;
      // Whichever comes first — reply, timeout, caller abort — settles the
      // attempt and clears the others, so no timer or listener outlives it.
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        callerSignal?.removeEventListener('abort', onCallerAbort);
        fn();
      };
      const onCallerAbort = () => {
        const err = callerAbortError(callerSignal as AbortSignal);
        settle(() => reject(err));
        ac.abort(err);
      };
      const timer = setTimeout(
        () => {
          let err: GatewayError;
          if (byDeadline) err = deadlineError();
          else {
            counters.timeouts++;
            err = new GatewayError(
              'LT_UPSTREAM_TIMEOUT',
              `${name} did not answer within ${timeoutMs} ms`,
              { endpoint: name, timeoutMs },
            );
          }
          settle(() => reject(err));
          ac.abort(err);
        },
        Math.max(0, Math.min(timeoutMs, left)),
      );
      callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
      if (callerSignal?.aborted) {
        // Aborted between the retry's backoff and this attempt: the event has already fired.
        onCallerAbort();
        return;
      }
      // Racing the reply against the timer guarantees the timeout even for a
      // send that ignores its signal; a late reply is then dropped.
      let pending: Promise<R>;
      try {
        pending = send(msg, ac.signal);
      } catch (err) {
        pending = Promise.reject(err);
      }
      pending.then(
        (value) => settle(() => resolve(value)),
        (err: unknown) => settle(() => reject(classifySendError(err))),
      );
    });
  }

  const breaker = new CircuitBreaker<[M, AbortSignal | undefined, number, number], R>(attempt, {
    name,
    timeout: false, // per-attempt timeouts are ours, with an AbortSignal that reaches the socket
    errorThresholdPercentage: o.breaker.errorThresholdPercentage,
    volumeThreshold: o.breaker.volumeThreshold,
    resetTimeout: o.breaker.resetTimeoutMs,
    rollingCountTimeout: o.breaker.rollingCountTimeoutMs,
    rollingCountBuckets: 10,
    enableSnapshots: false,
    // Latency percentiles per bucket are opossum's, unused here (/metrics has
    // its own histogram); keeping them costs an array push per call.
    rollingPercentilesEnabled: false,
    // errorFilter true = "not the provider's fault". Opossum records such an
    // outcome as a success, so a cancelled halfOpen probe closes the breaker;
    // acceptable, since the rolling window reopens it if failures go on.
    errorFilter: (err: unknown) =>
      !(err instanceof GatewayError) || callerAborts.has(err) || !o.isBreakerFailure(err),
  });
  // When the breaker opened: its refusals tell the caller when the trial call comes (Retry-After).
  let openedAt = 0;
  breaker.on('open', () => {
    openedAt = Date.now();
    onStateChange(name, 'open');
  });
  breaker.on('halfOpen', () => onStateChange(name, 'halfOpen'));
  breaker.on('close', () => onStateChange(name, 'closed'));

  function fromBreaker(err: unknown): GatewayError {
    if (err instanceof GatewayError) return err;
    const code = (err as { code?: unknown } | null)?.code;
    if (code === 'EOPENBREAKER') {
      counters.breakerRejections++;
      // Half-open (the trial call in flight) or just about to be: try again in a second.
      const left = openedAt + o.breaker.resetTimeoutMs - Date.now();
      return new GatewayError('LT_BREAKER_OPEN', `circuit breaker of ${name} is open`, {
        endpoint: name,
        retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)),
      });
    }
    if (code === 'ESHUTDOWN') return new GatewayError('LT_SHUTTING_DOWN');
    return classifySendError(err);
  }

  async function withRetries(msg: M, opts: CallOptions): Promise<R> {
    const timeoutMs = opts.timeoutMs ?? o.timeoutMs;
    const maxRetries = opts.idempotent
      ? Math.max(0, Math.floor(opts.retries ?? o.retries) || 0)
      : 0;
    const signal = opts.signal;
    const deadline = opts.deadline ?? Infinity;
    for (let retry = 0; ; retry++) {
      try {
        return await breaker.fire(msg, signal, timeoutMs, deadline);
      } catch (e) {
        const err = fromBreaker(e);
        if (
          retry >= maxRetries ||
          callerAborts.has(err) ||
          signal?.aborted ||
          !o.isRetryable(err)
        ) {
          throw err;
        }
        const delay = backoffDelay(retry, o.backoffMs, o.maxBackoffMs, o.random);
        // A retry that could only start after the deadline is not made.
        if (Date.now() + delay >= deadline) throw deadlineError();
        await sleep(delay, signal, () => callerAbortError(signal as AbortSignal));
        counters.retries++;
      }
    }
  }

  function state(): BreakerState {
    return breaker.opened ? 'open' : breaker.halfOpen ? 'halfOpen' : 'closed';
  }

  function setInFlight(n: number): void {
    inFlight = n;
    onInFlight(name, n);
  }

  return {
    name,
    async call(msg: M, opts: CallOptions): Promise<R> {
      counters.calls++;
      if (shutDown) throw new GatewayError('LT_SHUTTING_DOWN');
      if (opts.signal?.aborted) {
        counters.cancellations++;
        throw callerAbortError(opts.signal);
      }
      if (opts.deadline !== undefined && Date.now() >= opts.deadline) {
        counters.cancellations++;
        throw deadlineError();
      }
      // Refuse at once rather than queue: a queue in front of a slow provider
      // only turns its slowness into our memory and our callers' timeouts.
      if (inFlight >= o.bulkhead.maxInFlight) {
        counters.bulkheadRejections++;
        throw new GatewayError(
          'LT_BULKHEAD_FULL',
          `${inFlight} calls to ${name} already in flight`,
          {
            endpoint: name,
            maxInFlight: o.bulkhead.maxInFlight,
            // A slot frees as soon as one call ends: the shortest whole-second wait.
            retryAfterSeconds: 1,
          },
        );
      }
      setInFlight(inFlight + 1);
      try {
        const reply = await withRetries(msg, opts);
        counters.successes++;
        return reply;
      } catch (err) {
        if (callerAborts.has(err as object)) counters.cancellations++;
        else counters.failures++;
        throw err;
      } finally {
        setInFlight(inFlight - 1);
      }
    },
    state,
    inFlight: () => inFlight,
    stats(): ProtectedCallStats {
      return {
        name,
        state: state(),
        inFlight,
        maxInFlight: o.bulkhead.maxInFlight,
        ...counters,
      };
    },
    shutdown(): void {
      if (shutDown) return;
      shutDown = true;
      breaker.shutdown();
    },
  };
}
