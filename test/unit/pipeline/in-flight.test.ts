import { describe, expect, it } from '@jest/globals';
import { InFlight } from '../../../src/pipeline/in-flight.js';

describe('InFlight (what a shutdown waits for)', () => {
  it('is idle at once with nothing in flight', async () => {
    await expect(new InFlight().idle(Date.now() + 10_000)).resolves.toBe(true);
  });

  it('resolves true when the last exchange leaves, false at the deadline', async () => {
    const f = new InFlight();
    f.enter();
    f.enter();
    const drained = f.idle(Date.now() + 10_000);
    f.leave();
    expect(f.count).toBe(1);
    setTimeout(() => f.leave(), 20);
    await expect(drained).resolves.toBe(true);

    f.enter();
    const t0 = Date.now();
    await expect(f.idle(t0 + 50)).resolves.toBe(false);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    // A waiter that gave up is not woken later.
    f.leave();
    expect(f.count).toBe(0);
  });
});
