import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createStore, type Store } from '../../../src/store/store.js';
import { SeenIds } from '../../../src/queue/seen.js';
import { testClock } from '../store/contract.js';

/**
 * The seen-ids record (exactly once at a queue-fed route): `exactlyOnce.leaseMs`
 * and `exactlyOnce.keepMs`, on the store with a clock moved by hand.
 */
const clock = testClock();
let store: Store;
beforeAll(async () => {
  store = createStore({ kind: 'sqlite', path: ':memory:' }, { now: clock.now });
  await store.init();
});
afterAll(async () => {
  await store.close();
});

describe('SeenIds', () => {
  it('one claim wins; a done id is recognised for keepMs, then runs again', async () => {
    const a = new SeenIds(store, 'keep', 1000, 60_000, clock.now);
    const b = new SeenIds(store, 'keep', 1000, 60_000, clock.now);
    expect(await a.claim('m1')).toBe('mine');
    expect(await b.claim('m1')).toBe('busy');
    expect(await a.complete('m1')).toBe(true);
    expect(await b.claim('m1')).toBe('done');
    clock.advance(59_999);
    expect(await b.claim('m1')).toBe('done');
    clock.advance(1);
    expect(await b.claim('m1')).toBe('mine');
  });

  it('a lease expires after leaseMs: another delivery takes over and the late holder cannot complete', async () => {
    const a = new SeenIds(store, 'lease', 500, 60_000, clock.now);
    const b = new SeenIds(store, 'lease', 500, 60_000, clock.now);
    expect(await a.claim('m2')).toBe('mine');
    clock.advance(499);
    expect(await b.claim('m2')).toBe('busy');
    clock.advance(1);
    expect(await b.claim('m2')).toBe('mine');
    expect(await a.complete('m2')).toBe(false);
    expect(await a.release('m2')).toBe(false);
    expect(await b.complete('m2')).toBe(true);
  });

  it('a released claim (failed attempt) can be claimed again at once', async () => {
    const a = new SeenIds(store, 'rel', 60_000, 60_000, clock.now);
    expect(await a.claim('m3')).toBe('mine');
    expect(await a.release('m3')).toBe(true);
    expect(await new SeenIds(store, 'rel', 60_000, 60_000, clock.now).claim('m3')).toBe('mine');
  });
});
