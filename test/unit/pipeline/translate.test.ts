import { describe, expect, it } from '@jest/globals';
import { loadCatalogs, translationSteps, type Units2025 } from '../../../src/catalogs/index.js';
import type { Exchange, Message } from '../../../src/message/index.js';
import type { PipelineDeps, Translator } from '../../../src/pipeline/deps.js';
import { translate } from '../../../src/pipeline/stages/translate.js';
import { routeDef } from '../../helpers/route.js';

// R2: the reply's pre-2025 addresses get their 2025 units; codes that disagree are logged, never resolved silently.
const catalogs = loadCatalogs();
const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
const deps = {
  catalogs,
  translators: new Map<string, Translator>([
    ['admin-units-to-2025', translationSteps['admin-units-to-2025'](catalogs)],
  ]),
  log: { warn: (obj: Record<string, unknown>, msg: string) => warnings.push({ obj, msg }) },
} as unknown as PipelineDeps;

const route = () => routeDef({ translate: ['admin-units-to-2025'] });

type Addr = Record<string, unknown> & { units2025: Units2025 };

function run(body: unknown) {
  const ex = {
    id: 'ex1',
    reply: { body, contentType: 'application/json', headers: {} },
  } as unknown as Exchange;
  const saw = translate.create(route(), deps)!(ex);
  return {
    saw: saw as Record<string, unknown>,
    body: ex.reply!.body as { citizen: { permanentResidence: Addr } },
  };
}

describe('translate stage', () => {
  it('logs an address whose commune, district and province disagree, with the exchange', () => {
    warnings.length = 0;
    const { saw, body } = run({
      citizen: {
        permanentResidence: { provinceCode: '26', districtCode: '252', communeCode: '00004' },
      },
    });
    expect(body.citizen.permanentResidence.units2025.ambiguous).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].obj).toMatchObject({ ex: 'ex1', route: 'r' });
    const findings = warnings[0].obj.findings as { kind: string; communeCode: string }[];
    expect(findings.map((f) => [f.kind, f.communeCode])).toEqual([
      ['address-codes-disagree', '00004'],
    ]);
    expect(saw.findings).toBe(findings);
  });

  it('logs nothing for consistent addresses, and caps the findings of one reply', () => {
    warnings.length = 0;
    expect(
      run({ a: { provinceCode: '26', districtCode: '252', communeCode: '09106' } }).saw,
    ).toEqual({
      steps: ['admin-units-to-2025'],
    });
    expect(warnings).toHaveLength(0);
    const bad = { provinceCode: '26', districtCode: '252', communeCode: '00004' };
    run({ list: Array.from({ length: 100 }, () => ({ ...bad })) });
    expect((warnings[0].obj.findings as unknown[]).length).toBe(20);
  });
});

// Catalog steps apply to JSON replies, as the shared media-type parse reads them.
const markDeps = {
  translators: new Map([['mark', (v: unknown) => ({ ...(v as object), translated: true })]]),
} as unknown as PipelineDeps;
const markStage = translate.create(routeDef({ translate: ['mark'] }), markDeps)!;

function runTyped(contentType: string) {
  const reply: Message = { contentType, headers: {}, body: { a: 1 }, raw: Buffer.from('{"a":1}') };
  const saw = markStage({ reply } as unknown as Exchange);
  return { saw, reply };
}

describe('translate stage: JSON replies, by the shared media-type parse', () => {
  it.each(['application/json', 'Application/JSON; charset=utf-8', 'application/problem+json'])(
    'translates a %s reply and drops its stale bytes',
    (ct) => {
      const { saw, reply } = runTyped(ct);
      expect(saw).toEqual({ steps: ['mark'] });
      expect(reply.body).toEqual({ a: 1, translated: true });
      expect(reply.raw).toBeUndefined();
    },
  );

  it.each(['text/xml', 'text/plain; x=json'])('leaves a %s reply as it is', (ct) => {
    const { saw, reply } = runTyped(ct);
    expect(saw).toEqual({ skipped: 'not JSON' });
    expect(reply.body).toEqual({ a: 1 });
  });
});
