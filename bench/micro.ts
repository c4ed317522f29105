/**
 * Per-operation costs on this machine, printed beside the throughput ratios:
 * the floor the hot paths cannot go under (a signature is a signature), so a
 * ratio can be read against what the pipeline must do per exchange.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { join } from 'node:path';
import { generatePopulation } from '../adapters/npd/index.js';
import { compileXsd, parseSoapEnvelope } from '../src/xml/index.js';
import { TRACUU } from './fixtures.js';

function timeUs(fn: () => void, n = 5000): number {
  for (let i = 0; i < Math.min(n, 1000); i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - t0) * 1000) / n;
}

export function measureOperations(root: string): Record<string, number> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const payload = Buffer.alloc(1200, 0x61);
  const sig = sign('sha256', payload, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  const xsd = compileXsd(join(root, 'contracts', 'npd', 'envelope.xsd'));
  const id = generatePopulation({ seed: 2025, size: 10 }).citizens[0].idNumber;
  const request = Buffer.from(TRACUU(id));
  const limits = { maxBytes: 1 << 20, maxDepth: 64 };
  const out = {
    'es256 sign (1.2 KB)': timeUs(() =>
      sign('sha256', payload, { key: privateKey, dsaEncoding: 'ieee-p1363' }),
    ),
    'es256 verify (1.2 KB)': timeUs(() =>
      verify('sha256', payload, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig),
    ),
    'xml parse, NPD request': timeUs(() => parseSoapEnvelope(request, limits)),
    'xsd validate, NPD request': timeUs(() => xsd.validate(request, 'LT_CONTRACT_REQUEST')),
  };
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Number(v.toFixed(1))]));
}
