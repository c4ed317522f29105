import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import { signCitizenAssertion, verifyCitizenAssertion } from '../../../src/citizen/assertion.js';
import { ConfigSchema, RouteSchema, type RouteDef } from '../../../src/config/schema.js';
import type { GatewayError } from '../../../src/message/errors.js';
import type { Exchange } from '../../../src/message/index.js';
import type { PipelineDeps } from '../../../src/pipeline/deps.js';
import { citizenReply, citizenRequest } from '../../../src/pipeline/stages/citizen.js';
import {
  jwkThumbprint,
  signJwt,
  TYP,
  type EcJwk,
  type Signer,
} from '../../../src/security/index.js';
import { PeerKeys } from '../../../src/security/peer-keys.js';

// Citizen self-service (R4; docs/limits.md): the portal's assertion and the
// two stages that hold a citizen route to the citizen's own record.

function portalKey(): { signer: Signer; keys: PeerKeys } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pub = publicKey.export({ format: 'jwk' }) as EcJwk;
  const kid = jwkThumbprint(pub);
  return { signer: { kid, key: privateKey }, keys: new PeerKeys({ keys: [{ ...pub, kid }] }) };
}
const portal = portalKey();
const AUD = 'urn:lienthong:gateway';
const ID = '001099012345';
const OTHER = '001099054321';
const CHECK = { audience: AUD, maxAgeSeconds: 300 };

const codeAndReason = (f: () => unknown): [string, unknown] => {
  try {
    f();
    return ['OK', undefined];
  } catch (err) {
    const e = err as GatewayError;
    return [e.code, e.data?.reason];
  }
};

describe('verifyCitizenAssertion', () => {
  const sign = (
    claims: Record<string, unknown>,
    typ: string = TYP.citizen,
    signer = portal.signer,
  ) => {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(
      { iss: 'npsp', sub: ID, aud: AUD, iat: now, exp: now + 60, ...claims },
      signer,
      typ as never,
    );
  };

  it('gives the citizen the portal signed for', () => {
    const a = signCitizenAssertion(portal.signer, {
      portal: 'npsp',
      citizenId: ID,
      audience: AUD,
      idp: 'vneid',
    });
    expect(verifyCitizenAssertion(a, portal.keys.resolve, CHECK)).toEqual({
      citizenId: ID,
      portal: 'npsp',
      idp: 'vneid',
    });
  });

  it.each([
    ['another purpose (an access token)', sign({}, TYP.accessToken), 'LT_SIG_WRONG_TYPE'],
    ['another key', sign({}, TYP.citizen, portalKey().signer), 'LT_SIG_UNKNOWN_KEY'],
    ['another audience', sign({ aud: 'urn:other' }), 'aud'],
    ['no personal id', sign({ sub: '12345' }), 'sub'],
    ['a sub that is not a string', sign({ sub: 1099012345 }), 'sub'],
    [
      'a life longer than maxAgeSeconds',
      sign({ exp: Math.floor(Date.now() / 1000) + 3600 }),
      'exp',
    ],
    ['expired', sign({ iat: 1_000_000, exp: 1_000_060 }), 'exp'],
    ['no iat', sign({ iat: undefined }), 'iat'],
  ])('refuses %s: LT_CITIZEN_ASSERTION_INVALID with the reason', (_what, token, reason) => {
    expect(codeAndReason(() => verifyCitizenAssertion(token, portal.keys.resolve, CHECK))).toEqual([
      'LT_CITIZEN_ASSERTION_INVALID',
      reason,
    ]);
  });
});

describe('citizen stages', () => {
  const route = Value.Default(RouteSchema, {
    id: 'citizen-me',
    from: { adapter: 'http' },
    to: { endpoint: 'npd' },
    service: 's',
    citizen: { portal: 'npsp', alsoFill: ['/officer'] },
  }) as RouteDef;
  const deps = {
    config: Value.Default(ConfigSchema, {}),
    peers: new Map([['npsp', portal.keys.resolve]]),
  } as unknown as PipelineDeps;
  const assertion = (id = ID) =>
    signCitizenAssertion(portal.signer, { portal: 'npsp', citizenId: id, audience: AUD });
  const exchange = (body: unknown, headers: Record<string, string> = {}): Exchange =>
    ({
      request: { body, contentType: 'application/json', headers },
      caller: { clientId: 'portal', orgId: 'x', routes: 'all' },
      stages: [],
      attrs: {},
    }) as unknown as Exchange;
  const run = (ex: Exchange) => codeAndReason(() => citizenRequest.create(route, deps)!(ex));

  it('sets Caller.citizenId and fills the id and officer into what is sent, the request as sent', () => {
    const ex = exchange({ serviceCode: 'G15' }, { 'x-citizen-assertion': assertion() });
    expect(run(ex)[0]).toBe('OK');
    expect(ex.caller?.citizenId).toBe(ID);
    expect(ex.outbound?.body).toEqual({ serviceCode: 'G15', idNumber: ID, officer: ID });
    expect(ex.request.body).toEqual({ serviceCode: 'G15' });
  });

  it("refuses another person's id, and the old 9-digit id field, with LT_CITIZEN_NOT_OWN_RECORD", () => {
    const h = { 'x-citizen-assertion': assertion() };
    expect(run(exchange({ idNumber: OTHER }, h))[0]).toBe('LT_CITIZEN_NOT_OWN_RECORD');
    expect(run(exchange({ idNumber: ID, oldIdNumber: '123456789' }, h))[0]).toBe(
      'LT_CITIZEN_NOT_OWN_RECORD',
    );
    // A number that reads like the id is not the id.
    expect(run(exchange({ idNumber: Number(ID) }, h))[0]).toBe('LT_CITIZEN_NOT_OWN_RECORD');
    expect(run(exchange({ idNumber: ID }, h))[0]).toBe('OK');
  });

  it('refuses a request without an assertion, and one that is not a JSON object', () => {
    expect(run(exchange({}))).toEqual(['LT_CITIZEN_ASSERTION_INVALID', 'missing']);
    expect(run(exchange([ID], { 'x-citizen-assertion': assertion() }))[0]).toBe(
      'LT_CONTRACT_REQUEST',
    );
  });

  it("refuses a reply about another person as the provider's bad reply; passes one about the citizen or about nobody", () => {
    const reply = citizenReply.create(route, deps)!;
    const answered = (body: unknown) => {
      const ex = exchange({});
      ex.caller = { ...ex.caller!, citizenId: ID };
      ex.reply = { body, contentType: 'application/json', headers: {} };
      return codeAndReason(() => reply(ex))[0];
    };
    expect(answered({ citizen: { idNumber: OTHER } })).toBe('LT_UPSTREAM_BAD_REPLY');
    expect(answered({ citizen: { idNumber: ID } })).toBe('OK');
    expect(answered({ exists: true })).toBe('OK');
  });

  it('is left out of routes that are not citizen routes', () => {
    const plain = { ...route, citizen: undefined };
    expect(citizenRequest.create(plain, deps)).toBeNull();
    expect(citizenReply.create(plain, deps)).toBeNull();
  });
});

describe('the portal simulator (npsp)', () => {
  it('signs what its options say: issuer, audience, lifetime; publishes the key that verifies it', async () => {
    const { startPortalSimulator } = await import('../../../adapters/npsp/simulator.js');
    const sim = await startPortalSimulator({
      options: { issuer: 'urn:test:portal', audience: 'urn:test:gw', ttlSeconds: 30 },
    });
    try {
      const r = await fetch(`${sim.url}/__sim/login`, {
        method: 'POST',
        body: JSON.stringify({ idNumber: ID, idp: 'npsp' }),
      });
      const { assertion } = (await r.json()) as { assertion: string };
      const jwks = await (await fetch(`${sim.url}/.well-known/jwks.json`)).json();
      const keys = new PeerKeys(jwks).resolve;
      expect(
        verifyCitizenAssertion(assertion, keys, { audience: 'urn:test:gw', maxAgeSeconds: 30 }),
      ).toEqual({
        citizenId: ID,
        portal: 'urn:test:portal',
        idp: 'npsp',
      });
      // 30 s of life: a gateway accepting at most 29 refuses it.
      expect(
        codeAndReason(() =>
          verifyCitizenAssertion(assertion, keys, { audience: 'urn:test:gw', maxAgeSeconds: 29 }),
        ),
      ).toEqual(['LT_CITIZEN_ASSERTION_INVALID', 'exp']);
      const bad = await fetch(`${sim.url}/__sim/login`, {
        method: 'POST',
        body: '{"idNumber":"1"}',
      });
      expect(bad.status).toBe(400);
    } finally {
      await sim.close();
    }
  });
});
