import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import jose from 'node-jose';
import { hashSecret } from '../../src/security/secret.js';
import { issueAccessToken, signCompact, signDetached } from '../../src/security/index.js';
import {
  demoToken,
  requestSignatureHeader,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';

// R3: the connection test runs the whole pipeline through the gateway's real HTTP port.
let gw: TestGateway;
let token: string;
let providerUrl: string;

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** Bytes straight onto the gateway's port, for requests no HTTP client would send; the whole answer. */
function rawHttp(bytes: string): Promise<string> {
  const { hostname, port } = new URL(gw.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString()));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

async function getJson(url: string): Promise<any> {
  return (await fetch(url)).json();
}

async function faults(f: Record<string, unknown>) {
  await fetch(`${providerUrl}/__sim/faults`, { method: 'POST', body: JSON.stringify(f) });
}

beforeAll(async () => {
  gw = await startTestGateway({
    clients: [
      {
        id: 'demo',
        secretHash: await hashSecret('demo-secret'),
        orgId: '000.00.00.H57',
        routes: ['*'],
        jwks: 'gateway-self',
        demo: true,
      },
      {
        id: 'limited',
        secretHash: await hashSecret('limited-secret'),
        orgId: '000.00.00.H49',
        // Granted another route by its config list (routes: [] leaves it to the policy model,
        // where its organisation is not registered: test/e2e/policy.test.ts).
        routes: ['npd-lookup'],
      },
    ],
    endpoints: {
      'test-provider': {
        breaker: { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 300 },
      },
    },
  });
  token = await demoToken(gw.url);
  providerUrl = gw.simulators.get('test-provider')!.url;
});

afterAll(async () => {
  await gw?.stop();
});

describe('system endpoints', () => {
  it('serves liveness, readiness with breaker states, metrics, JWKS, OpenAPI and docs', async () => {
    expect((await getJson(`${gw.url}/healthz`)).status).toBe('ok');
    const ready = await getJson(`${gw.url}/readyz`);
    expect(ready.status).toBe('ready');
    expect(ready.store.ok).toBe(true);
    expect(ready.endpoints['test-provider'].breaker).toBe('closed');
    const jwks = await getJson(`${gw.url}/.well-known/jwks.json`);
    // Envelope keys only: the token key verifies nothing outside the gateway.
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({
      kty: 'EC',
      crv: 'P-256',
      kid: gw.keys.activeKid('envelope'),
    });
    expect(jwks.keys[0].d).toBeUndefined();
    const openapi = await getJson(`${gw.url}/openapi.json`);
    // The contract's schema is a component (test/e2e/docs.test.ts validates the document).
    const ref: string =
      openapi.paths['/v1/connection-test'].post.requestBody.content['application/json'].schema.$ref;
    expect(openapi.components.schemas[ref.split('/').pop()!].required).toContain('message');
    const docs = await (await fetch(`${gw.url}/docs`)).text();
    expect(docs).toContain('/v1/connection-test');
    expect(docs).toContain('LT_BREAKER_OPEN');
  });
});

describe('POST /token (OAuth2 client credentials, WSO2-style answer)', () => {
  /** POST /token with HTTP Basic credentials (none when `cred` is undefined) and a form. */
  const tokenRequest = (cred: string | undefined, form = 'grant_type=client_credentials') =>
    fetch(`${gw.url}/token`, {
      method: 'POST',
      headers: {
        ...(cred ? { authorization: `Basic ${Buffer.from(cred).toString('base64')}` } : {}),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form,
    });

  it('issues a bearer token', async () => {
    const res = await tokenRequest('demo:demo-secret', 'grant_type=client_credentials');
    const body: any = await res.json();
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'default', expires_in: 3600 });
    expect(typeof body.access_token).toBe('string');
  });

  it.each([
    [
      'wrong secret',
      'demo:nope',
      'grant_type=client_credentials',
      'LT_AUTH_INVALID_CLIENT',
      'invalid_client',
    ],
    [
      'unknown client',
      'ghost:x',
      'grant_type=client_credentials',
      'LT_AUTH_INVALID_CLIENT',
      'invalid_client',
    ],
    [
      'wrong grant',
      'demo:demo-secret',
      'grant_type=password',
      'LT_AUTH_UNSUPPORTED_GRANT',
      'unsupported_grant_type',
    ],
  ])('refuses %s', async (_name, cred, form, code, oauth) => {
    const res = await tokenRequest(cred, form);
    const body: any = await res.json();
    expect(body.code).toBe(code);
    expect(body.error).toBe(oauth);
  });

  it('issues an RFC 9068 access token for this gateway, not to be cached', async () => {
    const res = await tokenRequest('demo:demo-secret', 'grant_type=client_credentials');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const [h, p] = ((await res.json()) as any).access_token.split('.');
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toMatchObject({
      typ: 'at+jwt',
      kid: gw.keys.activeKid('token'),
    });
    expect(JSON.parse(Buffer.from(p, 'base64url').toString())).toMatchObject({
      iss: 'lienthong',
      aud: gw.config.tokens.audience,
      sub: 'demo',
      client_id: 'demo',
    });
  });

  it('takes the credentials from the form body when there is no Basic header', async () => {
    const res = await fetch(`${gw.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=demo&client_secret=demo-secret',
    });
    expect(res.status).toBe(200);
    expect(typeof ((await res.json()) as any).access_token).toBe('string');
  });

  it.each([
    ['Basic credentials without a colon', `Basic ${Buffer.from('demo').toString('base64')}`, ''],
    [
      'Basic credentials with an empty id',
      `Basic ${Buffer.from(':demo-secret').toString('base64')}`,
      '',
    ],
    ['a form with a client id but no secret', undefined, '&client_id=demo'],
    ['a form with a secret but no client id', undefined, '&client_secret=demo-secret'],
  ])('refuses %s as invalid_client, not to be cached', async (_n, authorization, form) => {
    const res = await fetch(`${gw.url}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(authorization ? { authorization } : {}),
      },
      body: `grant_type=client_credentials${form}`,
    });
    const body: any = await res.json();
    expect(body.code).toBe('LT_AUTH_MISSING');
    expect(body.error).toBe('invalid_client');
    expect(res.status).toBe(401);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a request without credentials', async () => {
    const res = await fetch(`${gw.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(((await res.json()) as any).code).toBe('LT_AUTH_MISSING');
  });
});

describe('the connection test through the full pipeline', () => {
  it('answers what each stage saw, signed, verifiable against /.well-known/jwks.json with node-jose', async () => {
    const body = JSON.stringify({ message: 'xin chào', reference: 'onboarding-001' });
    const res = await post('/v1/connection-test', body);
    expect(res.status).toBe(200);
    expect(res.json.stages.map((s: any) => s.stage)).toEqual([
      'authenticate',
      'authorize',
      'validate-request',
      'sign-outbound',
      'send',
      'verify-reply',
      'validate-response',
      'project',
    ]);
    expect(res.json.caller).toEqual({ clientId: 'demo', orgId: '000.00.00.H57' });
    expect(res.json.provider.echo).toEqual({ message: 'xin chào', reference: 'onboarding-001' });
    // The provider verified the gateway's signature on what it received.
    expect(res.json.provider.signature).toMatchObject({
      present: true,
      valid: true,
      kid: gw.keys.activeKid('envelope'),
    });

    // A client verifies the reply with a standard JOSE library and the published keys.
    const sig = res.headers.get('x-jws-signature')!;
    const [h, , s] = sig.split('.');
    const compact = `${h}.${Buffer.from(res.text).toString('base64url')}.${s}`;
    const jwks = await getJson(`${gw.url}/.well-known/jwks.json`);
    const keystore = await jose.JWK.asKeyStore(jwks);
    const verified = await jose.JWS.createVerify(keystore).verify(compact);
    expect(verified.payload.toString()).toBe(res.text);
    // The reply is typed as a reply and bound to the request it answers.
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    expect(header.typ).toBe('lt-reply+jws');
    expect(header['lt-req']).toBe(createHash('sha256').update(body).digest('base64url'));
    expect(Math.abs(header.iat - Date.now() / 1000)).toBeLessThan(60);
    expect(res.headers.get('x-lt-exchange-id')).toBe(res.json.exchangeId);
  });

  it('a tampered reply does not verify', async () => {
    const res = await post('/v1/connection-test', { message: 'x' });
    const [h, , s] = res.headers.get('x-jws-signature')!.split('.');
    const jwks = await getJson(`${gw.url}/.well-known/jwks.json`);
    const keystore = await jose.JWK.asKeyStore(jwks);
    const tampered = `${h}.${Buffer.from(res.text.replace('"ok":true', '"ok":false')).toString('base64url')}.${s}`;
    await expect(jose.JWS.createVerify(keystore).verify(tampered)).rejects.toThrow();
  });
});

describe('bad input gets its own code and the gateway stays up', () => {
  it.each([
    ['malformed JSON', '/v1/connection-test', '{"message": ', {}, 400, 'LT_BAD_JSON'],
    [
      'contract violation',
      '/v1/connection-test',
      { msg: 'wrong field' },
      {},
      422,
      'LT_CONTRACT_REQUEST',
    ],
    ['unknown route', '/v1/nowhere', { message: 'x' }, {}, 404, 'LT_ROUTE_NOT_FOUND'],
    [
      'missing token',
      '/v1/connection-test',
      { message: 'x' },
      { authorization: '' },
      401,
      'LT_AUTH_MISSING',
    ],
    [
      'garbage token',
      '/v1/connection-test',
      { message: 'x' },
      { authorization: 'Bearer abc.def.ghi' },
      401,
      'LT_AUTH_TOKEN_INVALID',
    ],
    [
      'unsupported media type',
      '/v1/connection-test',
      'message=x',
      { 'content-type': 'text/plain' },
      415,
      'LT_UNSUPPORTED_MEDIA_TYPE',
    ],
  ])('%s', async (_n, path, body, headers, status, code) => {
    const res = await post(path, body, headers as Record<string, string>);
    expect(res.json.code).toBe(code);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.json.message_vi).toBeTruthy();
  });

  it('names the failing JSON path on a contract violation', async () => {
    const res = await post('/v1/connection-test', { message: 42 });
    expect(res.json.violations[0]).toMatchObject({ path: '/message', rule: 'type' });
  });

  it('lists at most 20 violations and counts the rest (4,000 unknown keys)', async () => {
    // Within server.maxJsonNodes (10,000): more keys are refused before parsing (security.md).
    const body: Record<string, unknown> = { message: 'x', reference: 'r-1' };
    for (let i = 0; i < 4_000; i++) body[`k${i}`] = i;
    const res = await post('/v1/connection-test', body);
    expect(res.json.code).toBe('LT_CONTRACT_REQUEST');
    expect(res.json.violations).toHaveLength(20);
    expect(res.json.violationCount).toBe(4_000);
    expect(res.json.detail).toContain('(+3999 more)');
  });

  it.each([
    [
      'headers over the size limit',
      `POST /v1/connection-test HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'LT_HEADERS_TOO_LARGE',
    ],
    [
      'a request line that is not HTTP',
      'GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n',
      400,
      'LT_HTTP_MALFORMED',
    ],
  ])(
    'answers %s before any route, in problem+json with its code',
    async (_n, bytes, status, code) => {
      const answer = await rawHttp(bytes);
      expect(answer.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
      expect(answer).toContain('Content-Type: application/problem+json');
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
      expect(body).toMatchObject({ code, status });
      expect(body.message_vi).toBeTruthy();
    },
  );

  it('refuses a body over the limit', async () => {
    const res = await post('/v1/connection-test', { message: 'x'.repeat(1_100_000) });
    expect(res.json.code).toBe('LT_BODY_TOO_LARGE');
    expect(res.status).toBe(413);
  });

  it('refuses an expired token', async () => {
    const expired = issueAccessToken(
      gw.keys.signer('token'),
      gw.config.tokens,
      { id: 'demo', orgId: '000.00.00.H57' },
      3600,
      Date.now() - 7200_000,
    );
    const res = await post(
      '/v1/connection-test',
      { message: 'x' },
      { authorization: `Bearer ${expired}` },
    );
    expect(res.json.code).toBe('LT_AUTH_TOKEN_EXPIRED');
  });

  it('refuses a caller without a grant for the route', async () => {
    const t = await demoToken(gw.url, 'limited', 'limited-secret');
    const res = await post(
      '/v1/connection-test',
      { message: 'x' },
      { authorization: `Bearer ${t}` },
    );
    expect(res.json.code).toBe('LT_POLICY_ROUTE_NOT_ALLOWED');
    expect(res.status).toBe(403);
  });

  it('is still healthy afterwards', async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  });
});

describe('signed requests (route connection-test-signed)', () => {
  const body = () => Buffer.from(JSON.stringify({ message: 'signed hello' }));
  const requestHeader = (claims: Record<string, unknown> = {}) =>
    requestSignatureHeader(gw, '/v1/connection-test/signed', claims);
  const sign = (payload: Buffer, claims: Record<string, unknown> = {}) =>
    signDetached(payload, requestHeader(claims), gw.keys.signer('envelope'));

  it('accepts a fresh detached signature and reports it', async () => {
    const b = body();
    const res = await post('/v1/connection-test/signed', b.toString(), {
      'x-jws-signature': sign(b),
    });
    expect(res.status).toBe(200);
    expect(res.json.stages.find((s: any) => s.stage === 'verify-signature').saw.kid).toBe(
      gw.keys.activeKid('envelope'),
    );
  });

  it('accepts an enveloped application/jose body', async () => {
    const jws = signCompact(body(), requestHeader(), gw.keys.signer('envelope'));
    const res = await post('/v1/connection-test/signed', jws, {
      'content-type': 'application/jose',
    });
    expect(res.status).toBe(200);
    expect(res.json.provider.echo).toEqual({ message: 'signed hello' });
  });

  it.each([
    ['missing', () => ({}), 'LT_SIG_MISSING'],
    [
      'over another body',
      () => ({ 'x-jws-signature': sign(Buffer.from('{"message":"other"}')) }),
      'LT_SIG_INVALID',
    ],
    [
      'stale iat',
      () => ({ 'x-jws-signature': sign(body(), { iat: Math.floor(Date.now() / 1000) - 3600 }) }),
      'LT_SIG_STALE',
    ],
  ])('refuses a signature that is %s', async (_n, headers, code) => {
    const res = await post(
      '/v1/connection-test/signed',
      body().toString(),
      headers() as Record<string, string>,
    );
    expect(res.json.code).toBe(code);
  });

  it('refuses a replayed jti', async () => {
    const b = body();
    const sig = sign(b, { jti: `replay-${Date.now()}` });
    expect(
      (await post('/v1/connection-test/signed', b.toString(), { 'x-jws-signature': sig })).status,
    ).toBe(200);
    const again = await post('/v1/connection-test/signed', b.toString(), {
      'x-jws-signature': sig,
    });
    expect(again.json.code).toBe('LT_SIG_REPLAYED');
  });
});

describe('provider faults and the breaker', () => {
  it('maps a 5xx, opens the breaker after the configured failures, and closes after recovery', async () => {
    await faults({ errorRate: 1 });
    // Earlier tests' successes are in the breaker's rolling window: keep failing until the error share passes 50%.
    const codes: string[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 60 && !codes.includes('LT_BREAKER_OPEN'); i++) {
      const res = await post('/v1/connection-test', { message: 'x' });
      codes.push(res.json.code);
      retryAfter = res.headers.get('retry-after');
    }
    // The breaker's reset (300 ms here) rounded up to a whole second; a 5xx of the provider has none.
    expect(retryAfter).toBe('1');
    expect(codes[0]).toBe('LT_UPSTREAM_ERROR');
    expect(codes).toContain('LT_BREAKER_OPEN');
    expect(new Set(codes)).toEqual(new Set(['LT_UPSTREAM_ERROR', 'LT_BREAKER_OPEN']));
    const ready = await getJson(`${gw.url}/readyz`);
    expect(ready.endpoints['test-provider'].breaker).toBe('open');
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/lienthong_breaker_state\{endpoint="test-provider"\} 2/);
    expect(metrics).toMatch(
      /lienthong_errors_total\{route="connection-test",code="LT_BREAKER_OPEN"\} \d+/,
    );

    await faults({});
    await new Promise((r) => setTimeout(r, 400));
    const res = await post('/v1/connection-test', { message: 'x' });
    expect(res.status).toBe(200);
    expect((await getJson(`${gw.url}/readyz`)).endpoints['test-provider'].breaker).toBe('closed');
  });

  it('maps a dropped connection to LT_UPSTREAM_UNREACHABLE', async () => {
    await faults({ dropRate: 1 });
    const res = await post('/v1/connection-test', { message: 'x' });
    await faults({});
    expect(res.json.code).toBe('LT_UPSTREAM_UNREACHABLE');
  });

  it('maps a provider slower than the route timeout to LT_UPSTREAM_TIMEOUT', async () => {
    await faults({ latencyMs: 3300 });
    const res = await post('/v1/connection-test', { message: 'x' });
    await faults({});
    expect(res.json.code).toBe('LT_UPSTREAM_TIMEOUT');
    expect(res.status).toBe(504);
  });
});

describe('a provider that refuses connections; the bulkhead', () => {
  let other: TestGateway;
  afterAll(async () => {
    await other?.stop();
  });

  it('maps a refused connection to LT_UPSTREAM_UNREACHABLE and refuses beyond maxInFlight with LT_BULKHEAD_FULL', async () => {
    other = await startTestGateway({
      endpoints: {
        'test-provider': { maxInFlight: 1 },
        refused: { adapter: 'http', url: 'http://127.0.0.1:1', options: {} },
      },
    });
    const t = await demoToken(other.url);
    const sim = other.simulators.get('test-provider')!.url;
    await fetch(`${sim}/__sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ latencyMs: 300 }),
    });
    const call = () =>
      fetch(`${other.url}/v1/connection-test`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
        body: '{"message":"x"}',
      }).then(async (r) => ({
        ...((await r.json()) as any),
        retryAfter: r.headers.get('retry-after'),
      }));
    const results = await Promise.all([call(), call(), call()]);
    expect(results.filter((r: any) => r.code === 'LT_BULKHEAD_FULL').length).toBeGreaterThanOrEqual(
      1,
    );
    // A slot frees when a call ends: come back in a second (RFC 9110 §10.2.3).
    for (const r of results.filter((r: any) => r.code === 'LT_BULKHEAD_FULL'))
      expect(r.retryAfter).toBe('1');
    expect(results.filter((r: any) => r.ok === true).length).toBeGreaterThanOrEqual(1);
    // The refused endpoint, called directly through its protected wrapper.
    const ep = other.endpoints.get('refused')!;
    const ex: any = { id: 'x', request: { headers: {} }, signal: new AbortController().signal };
    await expect(
      ep.call({ body: {}, contentType: 'application/json', headers: {} }, ex, {
        policy: { ...ep.resilience, timeoutMs: 1000 },
        idempotent: false,
      }),
    ).rejects.toMatchObject({
      code: 'LT_UPSTREAM_UNREACHABLE',
    });
  });
});
