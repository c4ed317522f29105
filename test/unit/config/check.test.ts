import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinAdapters } from '../../../adapters/index.js';
import { translationSteps } from '../../../src/catalogs/index.js';
import { crossCheck } from '../../../src/config/check.js';
import { formatIssue, loadConfigLenient } from '../../../src/config/load.js';
import { didYouMean, levenshtein } from '../../../src/config/nearest.js';
import { ContractRegistry } from '../../../src/validation/contracts.js';
import { xmlContractLoader } from '../../../src/validation/xml.js';
import { ROOT } from '../../helpers/paths.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** `lienthong check` on a config and one route file, as lines. */
function check(config: string, routes: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'lt-check-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'routes'));
  writeFileSync(
    join(dir, 'lienthong.yaml'),
    `contractsDir: ${join(ROOT, 'contracts')}\n${config.includes('keys:') ? '' : `keys: { file: ${join(dir, 'k.json')} }\n`}${config}`,
  );
  writeFileSync(join(dir, 'routes', 'r.yaml'), routes);
  const { loaded, issues } = loadConfigLenient({ file: join(dir, 'lienthong.yaml'), env: {} });
  const contracts = new ContractRegistry(
    loaded!.config.contractsDir,
    xmlContractLoader({ xsdWorker: false }),
  );
  issues.push(
    ...crossCheck(loaded!, builtinAdapters(), contracts, new Set(Object.keys(translationSteps))),
  );
  contracts.close();
  return issues.map((i) => formatIssue(i).replace(dir, ''));
}

const NPD = 'endpoints:\n  npd: { adapter: npd, url: "http://127.0.0.1:9" }\n';
const route = (extra: string) =>
  `id: r1\nfrom: { adapter: http, path: /a }\nservice: s\n${extra}\n`;

describe('lienthong check (crossCheck)', () => {
  it('sharing log (R7): retention below 90 days anywhere, citizen ids without a subject key', () => {
    const op = 'to: { endpoint: npd, operation: TraCuuThongTinCongDan }';
    expect(check('audit: { retentionDays: 30 }\n' + NPD, route(op)).join('\n')).toMatch(
      /audit\.retentionDays: .*90/,
    );
    expect(check(NPD, route(`${op}\naudit: { retentionDays: 89 }`)).join('\n')).toMatch(
      /audit\.retentionDays: .*90/,
    );
    expect(check(NPD, route(`${op}\naudit: { subjects: [/idNumber] }`)).join('\n')).toMatch(
      /route r1: audit\.subjects: .*needs audit\.subjectKey/,
    );
    expect(
      check(
        'audit: { subjectKey: 0123456789abcdef0123 }\n' + NPD,
        route(`${op}\naudit: { subjects: [/idNumber], retentionDays: 90 }`),
      ),
    ).toEqual([]);
  });

  it('suggests the nearest name by edit distance', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(didYouMean('admin-unit-to-2025', ['admin-units-to-2025', 'x'])).toBe(
      ' (did you mean "admin-units-to-2025"?)',
    );
    expect(didYouMean('zzzzzzzz', ['npd'])).toBe(' (known: npd)');
  });

  it('a misspelled contract and translate step get the nearest name', () => {
    const lines = check(
      NPD,
      route(
        'to: { endpoint: npd, operation: TraCuuThongTinCongDan }\ncontract: npd/TraCuuThongTinCongDann\ntranslate: [admin-unit-to-2025]',
      ),
    );
    expect(lines.join('\n')).toMatch(
      /r\.yaml:5:\d+ +route r1: contract: .*did you mean "npd\/TraCuuThongTinCongDan"\?/,
    );
    expect(lines.join('\n')).toMatch(
      /r\.yaml:6:\d+ +route r1: translate\[0\]: unknown step .*did you mean "admin-units-to-2025"\?/,
    );
  });

  it('an NPD endpoint needs an operation the adapter has', () => {
    expect(check(NPD, route('to: { endpoint: npd }')).join('\n')).toMatch(
      /route r1: to\.operation: endpoint "npd" \(npd\) needs an operation/,
    );
    expect(check(NPD, route('to: { endpoint: npd, operation: XoaCongDan }'))).toHaveLength(1);
    // The inbound binding's operation is what reaches the adapter when it has one.
    const fromOp = check(
      NPD,
      'id: r2\nfrom: { adapter: http, path: /b, operation: TraCuu }\nto: { endpoint: npd, operation: TraCuuThongTinCongDan }\nservice: s\n',
    );
    expect(fromOp.join('\n')).toMatch(/route r2: from\.operation: .*has no operation "TraCuu"/);
  });

  it('queues (issue 18): an endpoint url of the wrong scheme, descending retry delays, a queue consumed twice, an unknown queue type', () => {
    const cfg =
      'endpoints:\n  q: { adapter: amqp, url: "http://rabbit:5672", options: { exchange: x } }\n  m: { adapter: memq, url: "memq://elsewhere", options: { exchange: "" } }\n';
    const from = (id: string, extra = '') =>
      `- id: ${id}\n  from: { adapter: amqp, urls: ["amqp://r:5672"], queue: q1${extra} }\n  to: { endpoint: m }\n  service: s\n  auth: none\n`;
    const text = check(
      cfg,
      from('a', ', retry: { delaysMs: [5000, 1000] }') +
        from('b') +
        from('c', ', queueType: mirrored'),
    ).join('\n');
    expect(text).toMatch(/endpoints\.q\.url.*amqp:\/\/ or amqps:\/\//);
    expect(text).toMatch(/endpoints\.m\.url.*memq:\/\/local/);
    expect(text).toMatch(/route a: from: retry\.delaysMs must be ascending/);
    expect(text).toMatch(/route b: from: route "a" already serves amqp queue amqp:\/\/r:5672 q1/);
    expect(text).toMatch(/route c: from\.queueType/);
  });

  it('a SOAP binding whose operation is not in its WSDL', () => {
    const lines = check(
      NPD,
      'id: s1\nfrom: { adapter: soap, path: /npd, operation: TraCuuThongTinCongDam, wsdl: npd/npd.wsdl }\nto: { endpoint: npd, operation: TraCuuThongTinCongDan }\nservice: s\n',
    );
    expect(lines.join('\n')).toMatch(
      /route s1: from: operation "TraCuuThongTinCongDam" is not in npd\/npd\.wsdl \(did you mean "TraCuuThongTinCongDan"\?\)/,
    );
  });

  it('a postgres store without url, a missing key file when it is not generated', () => {
    const lines = check(
      'store: { kind: postgres }\n' + NPD,
      route('to: { endpoint: npd, operation: TraCuuThongTinCongDan }'),
    );
    expect(lines.join('\n')).toMatch(/store\.url: is required for kind postgres/);
    const keys = check(
      `keys: { file: nope.json, generateIfMissing: false }\n` + NPD,
      route('to: { endpoint: npd, operation: TraCuuThongTinCongDan }'),
    );
    expect(keys.join('\n')).toMatch(/keys\.file: .*nope\.json does not exist/);
  });

  it('route problems are reported even when the main config has errors', () => {
    const lines = check(
      'server: { colour: blue }\nendpoints:\n  npd: { adapter: npd, url: "http://x", bogus: 1 }\n  other: { adapter: http, url: "http://127.0.0.1:9" }\n',
      '- ' +
        route('to: { endpoint: npd, operation: TraCuuThongTinCongDan }').replace(
          /\n(?=.)/g,
          '\n  ',
        ) +
        '- ' +
        route('to: { endpoint: othr }')
          .replace('r1', 'r2')
          .replace('/a', '/b')
          .replace(/\n(?=.)/g, '\n  '),
    );
    const text = lines.join('\n');
    expect(text).toMatch(/server\.colour: unknown property/);
    expect(text).toMatch(/endpoints\.npd\.bogus: unknown property/);
    // The broken endpoint is reported once, where it is; the route naming it is not told it is missing.
    expect(text).not.toMatch(/route r1/);
    expect(text).toMatch(
      /route r2: to\.endpoint: no endpoint named "othr" \(did you mean "other"\?\)/,
    );
  });

  it('limits: an unknown tier gets the nearest name; a day allowance below a minute’s is refused', () => {
    const HTTP = 'endpoints:\n  p: { adapter: http, url: "http://127.0.0.1:9" }\n';
    const client = (limits: string) =>
      `clients:\n  - { id: c, secretHash: 'scrypt$x', orgId: 000.00.00.H01, routes: ['*'], limits: ${limits} }\n`;
    const text = check(
      HTTP +
        'limits:\n  tiers: { Gold: { perMinute: 100 }, Odd: { perMinute: 60, perDay: 10 } }\n' +
        client('{ tier: Goldd }'),
      route('to: { endpoint: p }\nlimits: { tier: Platinum, perMinute: 5 }'),
    ).join('\n');
    expect(text).toMatch(
      /clients\[0\]\.limits\.tier: no tier named "Goldd" \(did you mean "Gold"\?\)/,
    );
    expect(text).toMatch(/route r1: limits\.tier: no tier named "Platinum"/);
    expect(text).toMatch(/limits\.tiers\.Odd\.perDay: perDay 10 is below perMinute 60/);
    const own = check(HTTP + client('{ perMinute: 50, perDay: 20 }'), route('to: { endpoint: p }'));
    expect(own.join('\n')).toMatch(/clients\[0\]\.limits\.perDay: perDay 20 is below perMinute 50/);
    // Nonsense numbers are the schema's: zero, negative, fractional.
    const zero = check(
      HTTP + client('{ perMinute: 0, perDay: 2.5 }'),
      route('to: { endpoint: p }'),
    );
    expect(zero.join('\n')).toMatch(/clients\[0\]\.limits\.perMinute: must be >= 1/);
    expect(zero.join('\n')).toMatch(/clients\[0\]\.limits\.perDay: must be integer/);
    expect(
      check(HTTP + client('{ tier: Gold, perDay: 100000 }'), route('to: { endpoint: p }')),
    ).toEqual([]);
  });

  it('tokens.throttle.trustSeconds below tokens.ttlSeconds is refused (an owner renewing could be locked out)', () => {
    const text = check(
      'endpoints:\n  p: { adapter: http, url: "http://127.0.0.1:9" }\ntokens: { ttlSeconds: 7200, throttle: { trustSeconds: 3600 } }\n',
      route('to: { endpoint: p }'),
    ).join('\n');
    expect(text).toMatch(
      /tokens\.throttle\.trustSeconds: 3600 s is shorter than tokens\.ttlSeconds/,
    );
  });
});

describe('lienthong check: the security-server simulator (issue 17)', () => {
  it('a provider behind it must name a simulator that starts before it, or a url', () => {
    const sims = (services: string) =>
      `${NPD}simulators:\n  - name: ss\n    adapter: ndxp\n    options:\n      clients: [VN/GOV/A/B]\n      services: ${services}\n  - name: later\n    adapter: npd\n`;
    const svc = (extra: string) => `[{ provider: VN/GOV/C/D, codes: [Op]${extra} }]`;
    const lines = [
      ...check(
        sims(svc(', simulator: later')),
        route('to: { endpoint: npd, operation: TraCuuThongTinCongDan }'),
      ),
      ...check(sims(svc('')), route('to: { endpoint: npd, operation: TraCuuThongTinCongDan }')),
    ];
    expect(
      lines.some(
        (l) =>
          l.includes('simulators[0].options.services[0].simulator') &&
          l.includes('no simulator named "later" starts before this one'),
      ),
    ).toBe(true);
    expect(
      lines.some(
        (l) =>
          l.includes('simulators[0].options.services[0]') && l.includes('needs url or simulator'),
      ),
    ).toBe(true);
    expect(
      check(
        sims(svc(', url: "http://127.0.0.1:9"')),
        route('to: { endpoint: npd, operation: TraCuuThongTinCongDan }'),
      ),
    ).toEqual([]);
  });
  it('a VDXP poller must poll a vdxp endpoint, and verifySignature needs trust anchors', () => {
    const lines = check(
      NPD,
      'id: r1\nfrom: { adapter: vdxp, endpoint: npd, verifySignature: true }\nto: { endpoint: npd, operation: TraCuuThongTinCongDan }\nservice: s\nauth: none\n',
    );
    expect(lines.join('\n')).toContain('endpoint "npd" is not a vdxp endpoint');
    expect(lines.join('\n')).toContain('verifySignature needs at least one trustAnchors file');
  });
  it('auth: asserted only on an inbound that names its caller (ndxp), never on a plain HTTP route', () => {
    const asserted = (from: string) =>
      check(
        NPD,
        `id: r1\nfrom: ${from}\nto: { endpoint: npd, operation: TraCuuThongTinCongDan }\nservice: s\nauth: asserted\n`,
      ).join('\n');
    expect(asserted('{ adapter: http, method: POST, path: /v1/x }')).toMatch(
      /auth: asserted needs an inbound that names its caller \(ndxp\); adapter "http" does not/,
    );
    expect(
      asserted(
        '{ adapter: ndxp, profile: rest, path: /xroad/r/x, service: VN/GOV/000.00.00.H57/LT/x }',
      ),
    ).not.toMatch(/auth: asserted needs/);
  });
});
