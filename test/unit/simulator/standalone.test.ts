import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { builtinAdapters } from '../../../adapters/index.js';
import { ConfigError } from '../../../src/config/load.js';
import { GatewayError } from '../../../src/message/errors.js';
import { simulatorOptions, startStandaloneSimulator } from '../../../src/simulator/standalone.js';

// `lienthong simulate <adapter>`: a simulator on its own, for a team testing
// its own client (issue 5: the simulators are product).
const log = pino({ level: 'silent' });

describe('simulator options from the command line (src/simulator/standalone.ts)', () => {
  it('reads a YAML file, then key=value pairs over it: dotted keys, JSON values, strings otherwise', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lt-sim-')), 'sim.yaml');
    writeFileSync(file, 'seed: 1\nsize: 10\nfaults: { latencyMs: 5, errorRate: 0.1 }\n');
    expect(
      simulatorOptions(
        [
          'size=5000',
          'faults.latencyMs=200',
          'faults.onlyFor=["TraCuuThongTinCongDan"]',
          'auth.username=u01',
        ],
        file,
      ),
    ).toEqual({
      seed: 1,
      size: 5000,
      faults: { latencyMs: 200, errorRate: 0.1, onlyFor: ['TraCuuThongTinCongDan'] },
      auth: { username: 'u01' },
    });
  });

  it('refuses a pair without "=" and a file that is not a mapping, with LT_CONFIG_INVALID', () => {
    expect(() => simulatorOptions(['size'])).toThrow(
      expect.objectContaining({ code: 'LT_CONFIG_INVALID' }),
    );
    const file = join(mkdtempSync(join(tmpdir(), 'lt-sim-')), 'sim.yaml');
    writeFileSync(file, '- 1\n- 2\n');
    expect(() => simulatorOptions([], file)).toThrow(/must be a mapping/);
  });
});

describe('startStandaloneSimulator', () => {
  it('starts the NPD simulator with the options, defaults filled in', async () => {
    const sim = await startStandaloneSimulator(builtinAdapters(), {
      adapter: 'npd',
      host: '127.0.0.1',
      port: 0,
      options: { size: 20, seed: 7 },
      log,
    });
    try {
      const list = (await (await fetch(`${sim.url}/__sim/citizens?limit=1`)).json()) as {
        total: number;
      };
      expect(list.total).toBe(20);
      const faults = await (await fetch(`${sim.url}/__sim/faults`)).json();
      expect(faults).toMatchObject({ latencyMs: 0, errorRate: 0 });
    } finally {
      await sim.close();
    }
  });

  it('names every refused option at once, as a configuration error', async () => {
    const err = await startStandaloneSimulator(builtinAdapters(), {
      adapter: 'npd',
      host: '127.0.0.1',
      port: 0,
      options: { size: 0, nope: 1, faults: { errorRate: 2 } },
      log,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => i.path).sort()).toEqual([
      'faults.errorRate',
      'nope',
      'size',
    ]);
  });

  it('refuses an adapter without a simulator, and an unknown one, saying which have one', async () => {
    const noSim = await startStandaloneSimulator(builtinAdapters(), {
      adapter: 'soap',
      host: '127.0.0.1',
      port: 0,
      options: {},
      log,
    }).catch((e: unknown) => e);
    expect(noSim).toBeInstanceOf(GatewayError);
    expect((noSim as GatewayError).code).toBe('LT_CONFIG_INVALID');
    expect((noSim as GatewayError).detail).toMatch(
      /has no simulator \(those with one: http, ndxp, npd, npsp, vdxp\)/,
    );
    await expect(
      startStandaloneSimulator(builtinAdapters(), {
        adapter: 'nope',
        host: '127.0.0.1',
        port: 0,
        options: {},
        log,
      }),
    ).rejects.toMatchObject({ code: 'LT_CONFIG_INVALID' });
  });
});
