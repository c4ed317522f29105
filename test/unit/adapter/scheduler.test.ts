import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { createScheduler } from '../../../src/adapter/scheduler.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the inbound scheduler', () => {
  it('repeats a task without overlapping runs, and survives its errors', async () => {
    const s = createScheduler(pino({ level: 'silent' }));
    let running = 0;
    let most = 0;
    let runs = 0;
    s.every(5, async () => {
      running++;
      most = Math.max(most, running);
      runs++;
      await sleep(15);
      running--;
      if (runs === 1) throw new Error('first run fails');
    });
    await sleep(120);
    await s.stop();
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(most).toBe(1);
  });

  it('cancels one task, and stop waits for the run in progress, then no more', async () => {
    const s = createScheduler(pino({ level: 'silent' }));
    let cancelled = 0;
    const cancel = s.every(5, () => {
      cancelled++;
    });
    cancel();
    let finished = false;
    let runs = 0;
    s.every(5, async () => {
      runs++;
      await sleep(40);
      finished = true;
    });
    await sleep(15);
    await s.stop();
    expect(finished).toBe(true);
    const after = runs;
    await sleep(30);
    expect(runs).toBe(after);
    expect(cancelled).toBe(0);
  });
});
