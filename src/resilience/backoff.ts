/**
 * Exponential backoff with full jitter: the n-th retry (0-based) waits a
 * uniformly random time in [0, min(max, base·2^n)). Jitter over the whole
 * range spreads the retries of many callers that failed together, so a
 * provider that just recovered is not hit by a synchronised wave.
 */
export function backoffDelay(
  retry: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/** Resolves after ms, or rejects with onAbort() as soon as the signal aborts. */
export function sleep(
  ms: number,
  signal: AbortSignal | undefined,
  onAbort: () => unknown,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(onAbort());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(onAbort());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}
