import { afterEach, describe, expect, it } from '@jest/globals';
import { GatewayError, type ErrorCode } from '../../../src/message/errors.js';
import {
  createProtectedCall,
  type BreakerState,
  type ProtectedCall,
  type ProtectedCallOptions,
  type Send,
} from '../../../src/resilience/protected-call.js';
import { codeOf } from '../../helpers/errors.js';

/** Resolve/reject a promise from outside: lets a test hold calls "in flight". */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const fails = (code: ErrorCode) => () => Promise.reject(new GatewayError(code));

/** Quick settings: tests must not wait for production-sized timers. */
const quick: ProtectedCallOptions = {
  timeoutMs: 1000,
  retries: 0,
  backoffMs: 1,
  maxBackoffMs: 5,
  breaker: {
    errorThresholdPercentage: 50,
    volumeThreshold: 3,
    resetTimeoutMs: 40,
    rollingCountTimeoutMs: 10_000,
  },
  bulkhead: { maxInFlight: 10 },
};

// R14 (availability): a failing provider must not take the gateway down with it.
describe('createProtectedCall', () => {
  const created: ProtectedCall<unknown, unknown>[] = [];
  const states: Array<[string, BreakerState]> = [];
  function make<R>(
    send: Send<string, R>,
    opts: ProtectedCallOptions = {},
    onInFlight?: (n: number) => void,
  ) {
    const pc = createProtectedCall<string, R>(
      'npd',
      send,
      { ...quick, ...opts, breaker: { ...quick.breaker, ...opts.breaker } },
      {
        onStateChange: (name, state) => states.push([name, state]),
        onInFlight: onInFlight ? (_name, n) => onInFlight(n) : undefined,
      },
    );
    created.push(pc as ProtectedCall<unknown, unknown>);
    return pc;
  }
  afterEach(() => {
    for (const pc of created.splice(0)) pc.shutdown();
    states.length = 0;
  });

  it('passes the message and an AbortSignal to send and returns its reply', async () => {
    const seen: Array<[string, boolean]> = [];
    const pc = make(async (msg, signal) => {
      seen.push([msg, signal instanceof AbortSignal && !signal.aborted]);
      return `reply:${msg}`;
    });
    expect(await pc.call('hello', { idempotent: false })).toBe('reply:hello');
    expect(seen).toEqual([['hello', true]]);
    expect(pc.inFlight()).toBe(0);
    expect(pc.state()).toBe('closed');
    expect(pc.stats()).toMatchObject({ calls: 1, successes: 1, failures: 0, attempts: 1 });
  });

  it('times an attempt out with LT_UPSTREAM_TIMEOUT and aborts the signal given to send', async () => {
    let given: AbortSignal | undefined;
    // A send that ignores its signal and never settles: the timeout must still fire.
    const pc = make((_msg, signal) => {
      given = signal;
      return new Promise<string>(() => {});
    });
    expect(await codeOf(pc.call('x', { idempotent: false, timeoutMs: 20 }))).toBe(
      'LT_UPSTREAM_TIMEOUT',
    );
    expect(given?.aborted).toBe(true);
    expect((given?.reason as GatewayError).code).toBe('LT_UPSTREAM_TIMEOUT');
    expect(pc.inFlight()).toBe(0);
    expect(pc.stats().timeouts).toBe(1);
  });

  it('uses the endpoint timeout when the call gives none', async () => {
    const pc = make(() => new Promise<string>(() => {}), { timeoutMs: 15 });
    expect(await codeOf(pc.call('x', { idempotent: false }))).toBe('LT_UPSTREAM_TIMEOUT');
  });

  it('an open breaker says when its trial call comes: retryAfterSeconds, the reset left rounded up', async () => {
    const pc = make(fails('LT_UPSTREAM_ERROR'), { breaker: { resetTimeoutMs: 4_500 } });
    for (let i = 0; i < 3; i++) await pc.call('q', { idempotent: false }).catch(() => undefined);
    expect(pc.state()).toBe('open');
    const err = await pc.call('q', { idempotent: false }).then(
      () => undefined,
      (e: unknown) => e as GatewayError,
    );
    expect(err?.code).toBe('LT_BREAKER_OPEN');
    expect(err?.data?.retryAfterSeconds).toBe(5);
  });

  it('bulkhead: refuses immediately with LT_BULKHEAD_FULL at maxInFlight, never queues', async () => {
    const gates = [deferred<string>(), deferred<string>()];
    let sent = 0;
    const inflight: number[] = [];
    const pc = make(
      () => gates[sent++].promise,
      { bulkhead: { maxInFlight: 2 } },
      (n) => inflight.push(n),
    );
    const first = pc.call('a', { idempotent: true });
    const second = pc.call('b', { idempotent: true });
    expect(pc.inFlight()).toBe(2);
    expect(await codeOf(pc.call('c', { idempotent: true }))).toBe('LT_BULKHEAD_FULL');
    expect(sent).toBe(2);
    gates[0].resolve('A');
    expect(await first).toBe('A');
    expect(pc.inFlight()).toBe(1);
    gates.push(deferred<string>());
    const third = pc.call('d', { idempotent: true });
    gates[1].resolve('B');
    gates[2].resolve('D');
    expect(await Promise.all([second, third])).toEqual(['B', 'D']);
    expect(pc.inFlight()).toBe(0);
    expect(inflight).toEqual([1, 2, 1, 2, 1, 0]);
    expect(pc.stats().bulkheadRejections).toBe(1);
  });

  it('breaker: opens after the configured failures, then halfOpen → closed on recovery', async () => {
    let healthy = false;
    let sent = 0;
    const halfOpen = deferred<void>();
    const pc = createProtectedCall<string, string>(
      'lgsp-hcm',
      async () => {
        sent++;
        if (!healthy) throw new GatewayError('LT_UPSTREAM_ERROR', 'HTTP 503');
        return 'ok';
      },
      quick,
      {
        onStateChange: (name, state) => {
          states.push([name, state]);
          if (state === 'halfOpen') halfOpen.resolve();
        },
      },
    );
    created.push(pc as ProtectedCall<unknown, unknown>);

    for (let i = 0; i < 3; i++)
      expect(await codeOf(pc.call('q', { idempotent: false }))).toBe('LT_UPSTREAM_ERROR');
    expect(pc.state()).toBe('open');
    expect(states).toEqual([['lgsp-hcm', 'open']]);

    // Open: refused without touching the provider.
    expect(await codeOf(pc.call('q', { idempotent: false }))).toBe('LT_BREAKER_OPEN');
    expect(sent).toBe(3);
    expect(pc.stats().breakerRejections).toBe(1);

    await halfOpen.promise; // after resetTimeoutMs
    expect(pc.state()).toBe('halfOpen');
    healthy = true;
    expect(await pc.call('q', { idempotent: false })).toBe('ok');
    expect(pc.state()).toBe('closed');
    expect(states).toEqual([
      ['lgsp-hcm', 'open'],
      ['lgsp-hcm', 'halfOpen'],
      ['lgsp-hcm', 'closed'],
    ]);
  });

  it('breaker: a failed halfOpen probe opens it again', async () => {
    const halfOpen = deferred<void>();
    const pc = createProtectedCall<string, string>(
      'vdxp',
      fails('LT_UPSTREAM_UNREACHABLE'),
      quick,
      {
        onStateChange: (_n, state) => {
          states.push(['vdxp', state]);
          if (state === 'halfOpen') halfOpen.resolve();
        },
      },
    );
    created.push(pc as ProtectedCall<unknown, unknown>);
    for (let i = 0; i < 3; i++) await codeOf(pc.call('q', { idempotent: false }));
    await halfOpen.promise;
    expect(await codeOf(pc.call('q', { idempotent: false }))).toBe('LT_UPSTREAM_UNREACHABLE');
    expect(pc.state()).toBe('open');
    expect(states.map(([, s]) => s)).toEqual(['open', 'halfOpen', 'open']);
  });

  it('caller-side errors never open the breaker; the predicate is configurable', async () => {
    for (const code of [
      'LT_NPD_NOT_FOUND',
      'LT_CONTRACT_REQUEST',
      'LT_POLICY_ROUTE_NOT_ALLOWED',
    ] as const) {
      const pc = make(fails(code));
      for (let i = 0; i < 10; i++)
        expect(await codeOf(pc.call('q', { idempotent: true }))).toBe(code);
      expect(pc.state()).toBe('closed');
    }
    // An operator may decide a provider's 404s are its fault after all.
    const strict = make(fails('LT_NPD_NOT_FOUND'), { isBreakerFailure: () => true });
    for (let i = 0; i < 3; i++) await codeOf(strict.call('q', { idempotent: false }));
    expect(strict.state()).toBe('open');
  });

  it('maps raw network errors from send: ECONNREFUSED counts against the provider', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), {
      code: 'ECONNREFUSED',
    });
    const pc = make(() => Promise.reject(refused));
    for (let i = 0; i < 3; i++)
      expect(await codeOf(pc.call('q', { idempotent: false }))).toBe('LT_UPSTREAM_UNREACHABLE');
    expect(pc.state()).toBe('open');
    // A bug in the adapter is ours, not the provider's.
    const buggy = make(() => Promise.reject(new TypeError('x is undefined')));
    for (let i = 0; i < 5; i++)
      expect(await codeOf(buggy.call('q', { idempotent: false }))).toBe('LT_INTERNAL');
    expect(buggy.state()).toBe('closed');
    // A send that throws synchronously is handled the same way.
    const sync = make((() => {
      throw refused;
    }) as unknown as Send<string, string>);
    expect(await codeOf(sync.call('q', { idempotent: false }))).toBe('LT_UPSTREAM_UNREACHABLE');
  });

  it('retries retryable failures only when the call is idempotent', async () => {
    const flaky = () => {
      let n = 0;
      const send = async () => {
        n++;
        if (n <= 2)
          throw new GatewayError(n === 1 ? 'LT_UPSTREAM_UNREACHABLE' : 'LT_UPSTREAM_TIMEOUT');
        return `ok after ${n}`;
      };
      return { send, count: () => n };
    };
    const a = flaky();
    const idem = make(a.send, { retries: 2, breaker: { volumeThreshold: 100 } });
    expect(await idem.call('lookup', { idempotent: true })).toBe('ok after 3');
    expect(a.count()).toBe(3);
    expect(idem.stats()).toMatchObject({ retries: 2, attempts: 3, successes: 1 });

    const b = flaky();
    const once = make(b.send, { retries: 2, breaker: { volumeThreshold: 100 } });
    expect(await codeOf(once.call('submit', { idempotent: false }))).toBe(
      'LT_UPSTREAM_UNREACHABLE',
    );
    expect(b.count()).toBe(1);
  });

  it('a call may set its own retries (a route’s setting), still only when idempotent', async () => {
    let n = 0;
    const pc = make(
      () => {
        n++;
        return Promise.reject(new GatewayError('LT_UPSTREAM_ERROR'));
      },
      { retries: 0, breaker: { volumeThreshold: 100 } },
    );
    expect(await codeOf(pc.call('q', { idempotent: true, retries: 2 }))).toBe('LT_UPSTREAM_ERROR');
    expect(n).toBe(3);
    expect(await codeOf(pc.call('q', { idempotent: false, retries: 2 }))).toBe('LT_UPSTREAM_ERROR');
    expect(n).toBe(4);
  });

  it('does not retry errors that would come back the same', async () => {
    for (const code of [
      'LT_UPSTREAM_FAULT',
      'LT_UPSTREAM_BAD_REPLY',
      'LT_NPD_NOT_FOUND',
    ] as const) {
      let n = 0;
      const pc = make(
        () => {
          n++;
          return Promise.reject(new GatewayError(code));
        },
        { retries: 3, breaker: { volumeThreshold: 100 } },
      );
      expect(await codeOf(pc.call('q', { idempotent: true }))).toBe(code);
      expect(n).toBe(1);
    }
  });

  it('gives up after the configured retries with the last error', async () => {
    let n = 0;
    const pc = make(
      () => {
        n++;
        return Promise.reject(new GatewayError('LT_UPSTREAM_ERROR', `try ${n}`));
      },
      { retries: 2, breaker: { volumeThreshold: 100 } },
    );
    const err = await pc.call('q', { idempotent: true }).catch((e: GatewayError) => e);
    expect((err as GatewayError).code).toBe('LT_UPSTREAM_ERROR');
    expect((err as GatewayError).detail).toBe('try 3');
    expect(n).toBe(3);
  });

  it('counts every attempt in the breaker, so an opening breaker stops a retry sequence', async () => {
    let n = 0;
    const pc = make(
      () => {
        n++;
        return Promise.reject(new GatewayError('LT_UPSTREAM_TIMEOUT'));
      },
      { retries: 5, breaker: { volumeThreshold: 2, resetTimeoutMs: 10_000 } },
    );
    expect(await codeOf(pc.call('q', { idempotent: true }))).toBe('LT_BREAKER_OPEN');
    expect(n).toBe(2);
    expect(pc.state()).toBe('open');
  });

  it('stops retrying when the caller aborts during the backoff (LT_CANCELLED)', async () => {
    let n = 0;
    const ac = new AbortController();
    const pc = make(
      () => {
        n++;
        // Abort while the retry waits: the backoff below is 60 s.
        setTimeout(() => ac.abort(), 5);
        return Promise.reject(new GatewayError('LT_UPSTREAM_UNREACHABLE'));
      },
      { retries: 3, backoffMs: 60_000, maxBackoffMs: 60_000, random: () => 0.99 },
    );
    expect(await codeOf(pc.call('q', { idempotent: true, signal: ac.signal }))).toBe(
      'LT_CANCELLED',
    );
    expect(n).toBe(1);
    expect(pc.inFlight()).toBe(0);
    expect(pc.stats().cancellations).toBe(1);
  });

  it('a caller abort during an attempt is LT_CANCELLED, not retried and not a breaker failure', async () => {
    let n = 0;
    const pc = make(
      (_msg, signal) => {
        n++;
        return new Promise<string>((_res, rej) =>
          signal.addEventListener('abort', () => rej(signal.reason)),
        );
      },
      { retries: 3, breaker: { volumeThreshold: 1 } },
    );
    for (let i = 0; i < 3; i++) {
      const ac = new AbortController();
      const p = pc.call('q', { idempotent: true, signal: ac.signal });
      ac.abort();
      expect(await codeOf(p)).toBe('LT_CANCELLED');
    }
    expect(n).toBe(3);
    expect(pc.state()).toBe('closed');
  });

  it('passes on the caller’s abort reason when it is a GatewayError, and refuses already-aborted calls', async () => {
    let n = 0;
    const pc = make(async () => {
      n++;
      return 'never';
    });
    expect(
      await codeOf(
        pc.call('q', {
          idempotent: true,
          signal: AbortSignal.abort(new GatewayError('LT_SHUTTING_DOWN')),
        }),
      ),
    ).toBe('LT_SHUTTING_DOWN');
    expect(await codeOf(pc.call('q', { idempotent: true, signal: AbortSignal.abort() }))).toBe(
      'LT_CANCELLED',
    );
    expect(n).toBe(0);
  });

  it('a caller deadline (AbortSignal.timeout) is LT_UPSTREAM_TIMEOUT but not held against the provider', async () => {
    const pc = make(() => new Promise<string>(() => {}), { breaker: { volumeThreshold: 1 } });
    for (let i = 0; i < 3; i++) {
      expect(
        await codeOf(pc.call('q', { idempotent: false, signal: AbortSignal.timeout(10) })),
      ).toBe('LT_UPSTREAM_TIMEOUT');
    }
    expect(pc.state()).toBe('closed');
  });

  it('a deadline (a number, the exchange’s) cuts an attempt short: LT_UPSTREAM_TIMEOUT, aborted send, no breaker failure', async () => {
    let given: AbortSignal | undefined;
    const pc = make(
      (_m, signal) => {
        given = signal;
        return new Promise<string>(() => {});
      },
      { timeoutMs: 5000, breaker: { volumeThreshold: 1 } },
    );
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const err = await pc.call('q', { idempotent: false, deadline: Date.now() + 20 }).then(
        () => undefined,
        (e: GatewayError) => e,
      );
      expect(err?.code).toBe('LT_UPSTREAM_TIMEOUT');
      expect(err?.detail).toMatch(/deadline/);
      // Well before the attempt's own 5 s timeout.
      expect(Date.now() - started).toBeLessThan(1000);
      expect(given?.aborted).toBe(true);
    }
    expect(pc.state()).toBe('closed');
    expect(pc.stats()).toMatchObject({ timeouts: 0, failures: 0, cancellations: 3 });
  });

  it('makes no retry whose backoff would end after the deadline, and no attempt after it', async () => {
    let attempts = 0;
    const pc = make(
      () => {
        attempts++;
        return Promise.reject(new GatewayError('LT_UPSTREAM_ERROR'));
      },
      { retries: 3, backoffMs: 10_000, maxBackoffMs: 10_000, random: () => 0.5 },
    );
    const err = await pc.call('q', { idempotent: true, deadline: Date.now() + 1000 }).then(
      () => undefined,
      (e: GatewayError) => e,
    );
    expect(attempts).toBe(1);
    expect(err?.code).toBe('LT_UPSTREAM_TIMEOUT');
    expect(await codeOf(pc.call('q', { idempotent: true, deadline: Date.now() - 1 }))).toBe(
      'LT_UPSTREAM_TIMEOUT',
    );
    expect(attempts).toBe(1);
  });
  it('refuses calls after shutdown with LT_SHUTTING_DOWN', async () => {
    const pc = make(async () => 'ok');
    pc.shutdown();
    expect(await codeOf(pc.call('q', { idempotent: true }))).toBe('LT_SHUTTING_DOWN');
  });

  it('refuses nonsensical options with LT_CONFIG_INVALID', () => {
    for (const bad of [
      { timeoutMs: 0 },
      { retries: -1 },
      { bulkhead: { maxInFlight: 0 } },
      { breaker: { errorThresholdPercentage: 150 } },
    ]) {
      expect(() =>
        createProtectedCall('x', async () => 1, bad, { onStateChange: () => {} }),
      ).toThrow(expect.objectContaining({ code: 'LT_CONFIG_INVALID' }));
    }
  });

  it('a throwing hook does not break calls', async () => {
    const pc = createProtectedCall('x', fails('LT_UPSTREAM_ERROR'), quick, {
      onStateChange: () => {
        throw new Error('metrics bug');
      },
      onInFlight: () => {
        throw new Error('metrics bug');
      },
    });
    created.push(pc as ProtectedCall<unknown, unknown>);
    for (let i = 0; i < 4; i++) await codeOf(pc.call('q', { idempotent: false }));
    expect(pc.state()).toBe('open');
    expect(pc.inFlight()).toBe(0);
  });
});
