import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { RefusalRecord } from '../../../src/policy/model.js';
import { WebhookNotifier } from '../../../src/policy/notifier.js';

const log = pino({ level: 'silent' });
const record = (code: string): RefusalRecord => ({
  at: new Date(0).toISOString(),
  code,
  reason: 'r',
  route: 'r',
  service: 's',
  clientId: 'c',
  orgId: 'o',
});
const ok = () => new Response('ok', { status: 200 });

// R8: the dispute authority's webhook — bounded queue, retries, never blocking the caller.
describe('WebhookNotifier', () => {
  it('POSTs each record as JSON to the url, retrying a failure up to `attempts` times, spaced by backoffMs', async () => {
    const calls: { url: string; body: string; at: number }[] = [];
    const fetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, body: String(init.body), at: Date.now() });
      return calls.length < 3 ? new Response('no', { status: 503 }) : ok();
    }) as unknown as typeof globalThis.fetch;
    const n = new WebhookNotifier({
      url: 'http://authority.invalid/r',
      maxQueue: 10,
      attempts: 3,
      backoffMs: 30,
      timeoutMs: 1000,
      log,
      fetch,
    });
    n.notify(record('LT_POLICY_NO_GRANT'));
    await n.close(5000);
    expect(calls.map((c) => c.url)).toEqual(Array(3).fill('http://authority.invalid/r'));
    expect(JSON.parse(calls[0].body)).toMatchObject({ code: 'LT_POLICY_NO_GRANT' });
    // Exponential: at least 30 ms, then at least 60 ms more (lower bounds only).
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(25);
    expect(calls[2].at - calls[1].at).toBeGreaterThanOrEqual(55);
  });

  it('gives up after `attempts`', async () => {
    let n = 0;
    const fetch = (async () => {
      n++;
      throw new Error('down');
    }) as unknown as typeof globalThis.fetch;
    const w = new WebhookNotifier({
      url: 'http://x.invalid',
      maxQueue: 10,
      attempts: 2,
      backoffMs: 1,
      timeoutMs: 1000,
      log,
      fetch,
    });
    w.notify(record('A'));
    await w.close(5000);
    expect(n).toBe(2);
  });

  it('keeps at most maxQueue records waiting, dropping the oldest, and notify never blocks', async () => {
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const fetch = (async (_u: string, init: RequestInit) => {
      await gate;
      seen.push(JSON.parse(String(init.body)).code);
      return ok();
    }) as unknown as typeof globalThis.fetch;
    const w = new WebhookNotifier({
      url: 'http://x.invalid',
      maxQueue: 2,
      attempts: 1,
      backoffMs: 1,
      timeoutMs: 1000,
      log,
      fetch,
    });
    for (const c of ['A', 'B', 'C', 'D']) w.notify(record(c)); // A is in flight; B dropped for D
    release();
    await w.close(5000);
    expect(seen).toEqual(['A', 'C', 'D']);
  });

  it('cuts an attempt at timeoutMs', async () => {
    let aborted = 0;
    const fetch = ((_u: string, init: RequestInit) =>
      new Promise((_r, reject) =>
        init.signal!.addEventListener('abort', () => {
          aborted++;
          reject(new Error('aborted'));
        }),
      )) as unknown as typeof globalThis.fetch;
    const w = new WebhookNotifier({
      url: 'http://x.invalid',
      maxQueue: 2,
      attempts: 1,
      backoffMs: 1,
      timeoutMs: 20,
      log,
      fetch,
    });
    w.notify(record('A'));
    await w.close(5000);
    expect(aborted).toBe(1);
  });
});
