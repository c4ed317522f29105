import { describe, expect, it } from '@jest/globals';
import { FaultInjector, cutOff } from '../../../src/simulator/faults.js';
import { startTestProvider } from '../../../adapters/http/simulator.js';

describe('simulator fault injection (src/simulator/faults.ts)', () => {
  it('splits requests by the configured shares, in the order drop, error, fault, garbage', async () => {
    let r = 0;
    const f = new FaultInjector(
      { dropRate: 0.1, errorRate: 0.2, faultRate: 0.3, garbageRate: 0.2 },
      () => r,
    );
    const at = async (v: number) => {
      r = v;
      return f.decide();
    };
    expect(await at(0.05)).toBe('drop');
    expect(await at(0.25)).toBe('error');
    expect(await at(0.55)).toBe('fault');
    expect(await at(0.75)).toBe('garbage');
    expect(await at(0.85)).toBe('none');
    expect(() => f.set({ garbageRate: 2 })).toThrow(/garbageRate/);
  });

  it('garbage: the test provider answers 200 with its JSON cut off halfway', async () => {
    const sim = await startTestProvider({ options: { faults: { garbageRate: 1 } } });
    try {
      const res = await fetch(`${sim.url}/echo`, { method: 'POST', body: '{"a":1}' });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(() => JSON.parse(text)).toThrow();
      expect(text.startsWith('{"provider":"lienthong test provider"')).toBe(true);
    } finally {
      await sim.close();
    }
  });

  it('cutOff keeps the first half', () => {
    expect(cutOff('<a><b/></a>')).toBe('<a><b');
  });
});
