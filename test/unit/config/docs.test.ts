import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinAdapters } from '../../../adapters/index.js';
import { crossCheck } from '../../../src/config/check.js';
import { loadConfig } from '../../../src/config/load.js';
import { renderConfigReference } from '../../../src/config/reference.js';
import { ContractRegistry } from '../../../src/validation/contracts.js';
import { ROOT } from '../../helpers/paths.js';

describe('docs/config-reference.md', () => {
  it('is what the schemas generate (regenerate with npm run docs)', () => {
    expect(readFileSync(join(ROOT, 'docs/config-reference.md'), 'utf8')).toBe(
      renderConfigReference(builtinAdapters()),
    );
  });

  it('documents every adapter and the route keys', () => {
    const doc = renderConfigReference(builtinAdapters());
    for (const name of ['http', 'soap', 'npd']) expect(doc).toContain(`### \`${name}\``);
    expect(doc).toMatch(/\| `signature.require` \| boolean \| `false` \|/);
  });
});

describe('crossCheck', () => {
  it('finds an unknown contract operation, a missing WSDL and an unknown catalog check', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-check-'));
    mkdirSync(join(dir, 'routes'));
    writeFileSync(
      join(dir, 'lienthong.yaml'),
      `contractsDir: ${join(ROOT, 'contracts')}\nendpoints:\n  e: { adapter: http, url: 'http://127.0.0.1:1' }\n`,
    );
    writeFileSync(
      join(dir, 'routes', 'r.yaml'),
      [
        'id: r',
        'from: { adapter: soap, path: /x, operation: Op, wsdl: npd/nope.wsdl }',
        'to: { endpoint: e }',
        'service: s',
        'contract: npd/Nope',
        'codes: { /a: planets }',
      ].join('\n'),
    );
    const loaded = loadConfig({ file: join(dir, 'lienthong.yaml'), env: {} });
    const contracts = new ContractRegistry(loaded.config.contractsDir);
    const issues = crossCheck(loaded, builtinAdapters(), contracts, new Set());
    const text = issues.map((i) => `${i.path}: ${i.message}`).join('\n');
    expect(text).toMatch(/contract: contract "npd\/Nope" not found/);
    expect(text).toMatch(/from: WSDL npd\/nope.wsdl not found/);
    expect(text).toMatch(/codes.\/a: unknown check "planets"/);
  });
});
