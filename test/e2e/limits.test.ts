import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { rawRequest, type RawAnswer } from '../helpers/http.js';
import { hashSecret } from '../../src/security/secret.js';
import { TRACUU } from '../../bench/fixtures.js';
import { generateKeyPairSync } from 'node:crypto';
import { signCitizenAssertion } from '../../src/citizen/assertion.js';
import { jwkThumbprint, type EcJwk } from '../../src/security/index.js';

// Limits through the gateway's real port (issue 19, "Limits"; docs/limits.md):
// /token flood protection, per-client rate limits and daily quotas refused
// with their code, reason and Retry-After. The gateway trusts X-Forwarded-For
// here, so one test process can speak from several addresses.

let gw: TestGateway;

const code = (a: RawAnswer): string => (JSON.parse(a.text) as { code: string }).code;

/** POST /token with Basic credentials, as if from `ip`. */
const token = (id: string, secret: string, ip: string) =>
  rawRequest(gw.url, {
    method: 'POST',
    path: '/token',
    headers: {
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      'x-forwarded-for': ip,
    },
    body: 'grant_type=client_credentials',
  });

beforeAll(async () => {
  const secretHash = await hashSecret('agency-secret');
  gw = await startTestGateway({
    server: { trustProxy: true },
    tokens: { throttle: { ipFailures: 5, clientFailures: 5, windowSeconds: 60 } },
    limits: {
      tiers: { Trial: { perDay: 4 }, Unlimited: {} },
      // A batch of one: the e2e sees the shared counter move at once.
      quotaBatch: 1,
    },
    clients: [
      {
        id: 'fast',
        secretHash: await hashSecret('fast-secret'),
        orgId: '000.00.00.H03',
        routes: ['*'],
        limits: { perMinute: 3 },
      },
      {
        id: 'trial',
        secretHash: await hashSecret('trial-secret'),
        orgId: '000.00.00.H04',
        routes: ['*'],
        limits: { tier: 'Trial' },
      },
      {
        id: 'portal',
        secretHash: await hashSecret('portal-secret'),
        orgId: '000.00.00.H06',
        routes: ['citizen-me'],
      },
      {
        id: 'soapy',
        secretHash: await hashSecret('soapy-secret'),
        orgId: '000.00.00.H05',
        routes: ['*'],
        limits: { perMinute: 2 },
      },
      { id: 'agency', secretHash, orgId: '000.00.00.H01', routes: ['*'] },
      {
        id: 'province',
        secretHash: await hashSecret('province-secret'),
        orgId: '000.00.00.H02',
        routes: ['*'],
      },
    ],
  });
});

afterAll(async () => {
  await gw?.stop();
});

describe('POST /token under a flood of wrong secrets', () => {
  it('keeps issuing tokens to a legitimate client while one address floods wrong secrets (LT_AUTH_THROTTLED, Retry-After)', async () => {
    const ATTACKER = '203.0.113.7';
    const OWNER = '10.20.30.40';
    expect((await token('agency', 'agency-secret', OWNER)).status).toBe(200);
    // The attacker's first wrong secrets are checked (one at a time) and counted.
    for (let i = 0; i < 5; i++)
      expect(code(await token('agency', `guess-${i}`, ATTACKER))).toBe('LT_AUTH_INVALID_CLIENT');

    // Then a flood, and the owner asking for tokens in the middle of it.
    let flooding = true;
    const floodAnswers: RawAnswer[] = [];
    const flood = (async () => {
      const wave = () =>
        Promise.all(Array.from({ length: 20 }, (_, i) => token('agency', `x${i}`, ATTACKER)));
      while (flooding) floodAnswers.push(...(await wave()));
    })();
    const owner: number[] = [];
    for (let i = 0; i < 10; i++) owner.push((await token('agency', 'agency-secret', OWNER)).status);
    flooding = false;
    await flood;

    expect(owner).toEqual(Array(10).fill(200));
    expect(floodAnswers.length).toBeGreaterThan(0);
    expect(new Set(floodAnswers.map(code))).toEqual(new Set(['LT_AUTH_THROTTLED']));
    const one = floodAnswers[0];
    expect(one.status).toBe(429);
    expect(Number(one.headers['retry-after'])).toBeGreaterThan(0);
    expect((JSON.parse(one.text) as { error: string }).error).toBe('temporarily_unavailable');
  });

  it('refuses a client id attacked from many addresses, but not its owner where it got its token', async () => {
    const OWNER = '10.20.30.41';
    expect((await token('province', 'province-secret', OWNER)).status).toBe(200);
    const answers: RawAnswer[] = [];
    for (let i = 0; i < 12; i++) answers.push(await token('province', 'wrong', `198.51.100.${i}`));
    expect(answers.slice(0, 5).map(code)).toEqual(Array(5).fill('LT_AUTH_INVALID_CLIENT'));
    expect(answers.slice(5).map(code)).toEqual(Array(7).fill('LT_AUTH_THROTTLED'));
    expect((await token('province', 'province-secret', OWNER)).status).toBe(200);
    // A new address cannot get in for the id, even with the right secret, until the window ends.
    expect(code(await token('province', 'province-secret', '10.99.99.99'))).toBe(
      'LT_AUTH_THROTTLED',
    );
  });
});

/** A bearer token for `id` (its secret is `<id>-secret`), from an address of its own. */
async function bearer(id: string): Promise<string> {
  const r = await token(id, `${id}-secret`, `10.0.1.${id.length}`);
  expect(r.status).toBe(200);
  return (JSON.parse(r.text) as { access_token: string }).access_token;
}

const connectionTest = (tok: string) =>
  rawRequest(gw.url, {
    method: 'POST',
    path: '/v1/connection-test',
    headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'xin chao' }),
  });

describe('rates and daily quotas through the port', () => {
  it('a client over its rate is refused with LT_LIMIT_RATE, its reason and Retry-After', async () => {
    const tok = await bearer('fast');
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await connectionTest(tok));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    const refused = answers[3];
    const body = JSON.parse(refused.text) as { code: string; detail: string };
    expect(body.code).toBe('LT_LIMIT_RATE');
    expect(body.detail).toContain('client "fast"');
    expect(body.detail).toContain('3 requests a minute');
    // 3 a minute: the next token comes in at most 20 s.
    const after = Number(refused.headers['retry-after']);
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThanOrEqual(20);
  });

  it('a client over its daily quota (a tier) is refused with LT_LIMIT_QUOTA and Retry-After until the day resets', async () => {
    const tok = await bearer('trial');
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await connectionTest(tok)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const refused = await connectionTest(tok);
    const body = JSON.parse(refused.text) as { code: string; detail: string };
    expect(body.code).toBe('LT_LIMIT_QUOTA');
    expect(body.detail).toContain('daily quota of 4 requests');
    const after = Number(refused.headers['retry-after']);
    // Until the next midnight in Vietnam (limits.dayOffsetMinutes 420).
    const nextMidnight =
      Math.ceil((Date.now() + 7 * 3_600_000) / 86_400_000) * 86_400_000 - 7 * 3_600_000;
    expect(Math.abs(after - (nextMidnight - Date.now()) / 1000)).toBeLessThan(5);
    // Another client is not affected.
    expect((await connectionTest(await bearer('fast'))).status).not.toBe(500);
  });

  it('a SOAP caller over its rate gets a SOAP fault carrying the code and retryAfter, and the Retry-After header', async () => {
    const tok = await bearer('soapy');
    const post = () =>
      rawRequest(gw.url, {
        method: 'POST',
        path: '/npd',
        headers: {
          authorization: `Bearer ${tok}`,
          'content-type': 'text/xml; charset=utf-8',
          soapaction: '""',
        },
        body: TRACUU('052180091442'),
      });
    await post();
    await post();
    const refused = await post();
    expect(refused.status).toBe(500);
    expect(refused.text).toContain('<lt:code>LT_LIMIT_RATE</lt:code>');
    expect(refused.text).toMatch(/<lt:retryAfter>\d+<\/lt:retryAfter>/);
    expect(refused.text).toContain('<faultcode>soap:Client</faultcode>');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('citizen self-service (R4) through the port', () => {
  /** The portal's service code (MaDVC) for the citizen's own lookup. */
  const SVC = { serviceCode: 'G15-TP110' };
  let tok: string;
  let own: string;
  let other: string;
  const sim = (name: string) => gw.simulators.get(name)!.url;

  /**
   * What the portal signs once `id` has logged in. The example route's portal
   * is gateway-self (the demo's stand-in, `lienthong citizen assert`): the
   * gateway's own envelope key signs it.
   */
  const login = async (id: string, signer = gw.keys.signer('envelope')): Promise<string> =>
    signCitizenAssertion(signer, {
      portal: 'urn:test:portal',
      citizenId: id,
      audience: gw.config.tokens.audience,
      idp: 'vneid',
    });
  const me = (assertion: string | undefined, body: unknown) =>
    rawRequest(gw.url, {
      method: 'POST',
      path: '/v1/citizen/me',
      headers: {
        authorization: `Bearer ${tok}`,
        'content-type': 'application/json',
        ...(assertion ? { 'x-citizen-assertion': assertion } : {}),
      },
      body: JSON.stringify(body),
    });
  const npdReceived = async (): Promise<string> =>
    JSON.stringify(await (await fetch(`${sim('npd')}/__sim/received`)).json());

  beforeAll(async () => {
    tok = await bearer('portal');
    const people = (await (
      await fetch(`${sim('npd')}/__sim/citizens?limit=2&status=1`)
    ).json()) as {
      items: { idNumber: string }[];
    };
    const list = people.items;
    [own, other] = [list[0].idNumber, list[1].idNumber];
  });

  it("answers the citizen their own record, the id taken from the portal's assertion", async () => {
    const r = await me(await login(own), SVC);
    expect(r.status).toBe(200);
    const body = JSON.parse(r.text) as { citizen: { idNumber: string } };
    expect(body.citizen.idNumber).toBe(own);
    // Asking with their own id in the body is the same.
    expect((await me(await login(own), { ...SVC, idNumber: own })).status).toBe(200);
    // The NPD was asked about this citizen, by this citizen (MaCanBo).
    expect(await npdReceived()).toContain(
      `<dan:MaCanBo>${own}</dan:MaCanBo><dan:SoDinhDanh>${own}</dan:SoDinhDanh>`,
    );
  });

  it("refuses a citizen asking for another person's record before the NPD is asked (LT_CITIZEN_NOT_OWN_RECORD)", async () => {
    const r = await me(await login(own), { ...SVC, idNumber: other });
    expect(r.status).toBe(403);
    const body = JSON.parse(r.text) as { code: string; detail: string };
    expect(body.code).toBe('LT_CITIZEN_NOT_OWN_RECORD');
    expect(body.detail).toContain('/idNumber');
    // The 9-digit old id is another way to name a person: refused the same way.
    const old = await me(await login(own), { ...SVC, oldIdNumber: '123456789' });
    expect(code(old)).toBe('LT_CITIZEN_NOT_OWN_RECORD');
    expect(await npdReceived()).not.toContain(other);
  });

  it('refuses without an assertion, with one the portal did not sign, or one made for another purpose (LT_CITIZEN_ASSERTION_INVALID)', async () => {
    expect(code(await me(undefined, {}))).toBe('LT_CITIZEN_ASSERTION_INVALID');
    const a = await login(own);
    // Signed by a key the portal does not have.
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const stranger = {
      kid: jwkThumbprint(publicKey.export({ format: 'jwk' }) as EcJwk),
      key: privateKey,
    };
    expect(code(await me(await login(own, stranger), {}))).toBe('LT_CITIZEN_ASSERTION_INVALID');
    // Claims of one assertion under the signature of another.
    const forged = [
      (await login(other)).split('.')[0],
      a.split('.')[1],
      (await login(other)).split('.')[2],
    ].join('.');
    expect(code(await me(forged, {}))).toBe('LT_CITIZEN_ASSERTION_INVALID');
    // The portal client's own bearer token is a JWT too, but not a citizen assertion.
    const r = await me(tok, {});
    expect(r.status).toBe(401);
    expect(code(r)).toBe('LT_CITIZEN_ASSERTION_INVALID');
  });

  it('the portal client may use the citizen route only (authorize runs first)', async () => {
    expect(code(await connectionTest(tok))).toBe('LT_POLICY_ROUTE_NOT_ALLOWED');
  });
});
