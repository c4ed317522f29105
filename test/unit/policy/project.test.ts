import { describe, expect, it } from '@jest/globals';
import { fieldTree, projectJson, projectXml } from '../../../src/policy/project.js';
import { purposeOf } from '../../../src/policy/purpose.js';
import { outsideJurisdiction, requiredAuthority } from '../../../src/policy/jurisdiction.js';
import { ORG_KINDS, type Organisation } from '../../../src/policy/model.js';
import { parseXml } from '../../../src/xml/parse.js';
import { serializeElement } from '../../../src/xml/serialize.js';

const LIMITS = { maxBytes: 1 << 20, maxDepth: 64, maxNodes: 10_000 };

// R11: a reply carries only the fields the grant allows.
describe('field projection', () => {
  const reply = {
    requestId: 'R-1',
    citizen: {
      idNumber: '001099000001',
      fullName: 'NGUYEN VAN A',
      address: { province: '26', detail: 'x' },
      relatives: [
        { relation: 'Cha', idNumber: '1', fullName: 'B' },
        { relation: 'Me', idNumber: '2', fullName: 'C' },
      ],
    },
  };

  it('keeps allowed paths with their subtrees, crosses arrays, drops everything else', () => {
    const out = projectJson(
      reply,
      fieldTree(['citizen.idNumber', 'citizen.address', 'citizen.relatives.relation']),
    );
    expect(out).toEqual({
      citizen: {
        idNumber: '001099000001',
        address: { province: '26', detail: 'x' },
        relatives: [{ relation: 'Cha' }, { relation: 'Me' }],
      },
    });
  });

  it('a path into a scalar allows nothing there, and a shorter path wins over a longer one', () => {
    expect(projectJson(reply, fieldTree(['requestId.x']))).toEqual({});
    expect(projectJson(reply, fieldTree(['citizen', 'citizen.idNumber']))).toEqual({
      citizen: reply.citizen,
    });
  });

  it('never reads inherited properties (a field named __proto__ or constructor)', () => {
    expect(projectJson({ a: 1 }, fieldTree(['constructor', '__proto__']))).toEqual({});
  });

  it('removes disallowed child elements of the XML operation element, at any depth', () => {
    const el = parseXml(
      '<n:CongdanCollection xmlns:n="urn:x"><n:CongDan><n:SoDinhDanh>1</n:SoDinhDanh><n:HoVaTen><n:Ten>A</n:Ten></n:HoVaTen></n:CongDan><n:CongDan><n:SoDinhDanh>2</n:SoDinhDanh></n:CongDan><n:GhiChu>g</n:GhiChu></n:CongdanCollection>',
      LIMITS,
    );
    const xml = serializeElement(projectXml(el, fieldTree(['CongDan.SoDinhDanh'])));
    expect(xml).toBe(
      '<n:CongdanCollection xmlns:n="urn:x"><n:CongDan><n:SoDinhDanh>1</n:SoDinhDanh></n:CongDan><n:CongDan><n:SoDinhDanh>2</n:SoDinhDanh></n:CongDan></n:CongdanCollection>',
    );
  });
});

describe('stated purpose', () => {
  const msg = (body: unknown, headers: Record<string, string> = {}) => ({
    body,
    contentType: 'application/json',
    headers,
  });

  it('is X-Purpose first, else the request’s public-service code (JSON serviceCode, SOAP MaDVC)', () => {
    expect(purposeOf(msg({ serviceCode: 'G15-TP110' }, { 'x-purpose': ' VPCP ' }))).toBe('VPCP');
    expect(purposeOf(msg({ serviceCode: 'G15-TP110' }))).toBe('G15-TP110');
    const soap = parseXml(
      '<d:Op xmlns:d="http://dancuquocgia.bca"><d:MaYeuCau>1</d:MaYeuCau><d:MaDVC>G15-TP110</d:MaDVC></d:Op>',
      LIMITS,
    );
    expect(purposeOf(msg(soap))).toBe('G15-TP110');
    expect(purposeOf(msg({ message: 'x' }))).toBeUndefined();
    expect(purposeOf(msg({ serviceCode: '   ' }))).toBeUndefined();
    expect(purposeOf(msg(null, { 'x-purpose': 'x'.repeat(5000) }))).toHaveLength(100);
  });
});

// R10.3: the approving authority by kind and level.
describe('jurisdiction', () => {
  const org = (o: Partial<Organisation>): Organisation => ({
    id: '000.26.00.H01',
    name: 'x',
    level: 'provincial',
    province: '26',
    kind: 'state-agency',
    ready: false,
    accountsRequired: false,
    ...o,
  });
  const NPD = { kind: 'npd-authority' as const };
  const police = (province: string) => ({ kind: 'provincial-police' as const, province });

  it('follows the table of docs/policy.md for every kind', () => {
    const expected: Record<string, string> = {
      'state-agency': 'provincial-police',
      'political-organisation': 'provincial-police',
      'credit-institution': 'npd-authority',
      telco: 'npd-authority',
      'digital-signature-provider': 'npd-authority',
      'e-id-provider': 'npd-authority',
      notary: 'provincial-police',
      bailiff: 'provincial-police',
      'other-public-service': 'provincial-police',
    };
    for (const kind of ORG_KINDS) {
      const need = requiredAuthority(org({ kind }));
      expect([kind, 'kind' in need ? need.kind : need.problem]).toEqual([kind, expected[kind]]);
    }
    expect(requiredAuthority(org({ level: 'central', kind: 'state-agency' }))).toEqual(NPD);
  });

  it('refuses the wrong authority and another province’s police, accepts the right one', () => {
    expect(outsideJurisdiction(police('26'), org({}))).toBeUndefined();
    expect(outsideJurisdiction(police('01'), org({}))).toContain('province 26');
    expect(outsideJurisdiction(NPD, org({}))).toBeDefined();
    expect(
      outsideJurisdiction(NPD, org({ kind: 'e-id-provider', level: 'central' })),
    ).toBeUndefined();
    expect(outsideJurisdiction(police('26'), org({ kind: 'e-id-provider' }))).toContain(
      'NPD authority',
    );
    expect(
      outsideJurisdiction(police('26'), org({ kind: 'notary', province: undefined })),
    ).toContain('no province');
  });
});
