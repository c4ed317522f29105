import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSecret } from '../../src/security/secret.js';
import { signCompact, signDetached, type Signer } from '../../src/security/index.js';
import {
  ROOT,
  demoToken,
  requestSignatureHeader,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';

// Issue "A signature made for one purpose is accepted for another": each attack through the
// gateway's real ports, and the purpose pairs an attacker can reach from outside (R14, RFC 8725 §3.11).

interface Captured {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function readAll(req: import('node:http').IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/**
 * An ordinary "create record" provider: it answers with the JSON it was given.
 * On /reflect it also hands back the signature header it received, as a
 * careless or hostile provider could. It keeps the last request it saw.
 */
function echoProvider() {
  let last: Captured | undefined;
  const server = createServer(async (req, res) => {
    const body = await readAll(req);
    last = { headers: req.headers, body };
    res.setHeader('content-type', 'application/json');
    const sig = req.headers['x-jws-signature'];
    if (req.url === '/reflect' && typeof sig === 'string') res.setHeader('x-jws-signature', sig);
    res.end(body);
  });
  return { server, last: () => last! };
}

/** A machine between the gateway and the test provider: passes through, or answers with a captured reply. */
function interceptor() {
  let target = '';
  let captured: { status: number; headers: Headers; body: Buffer } | undefined;
  let replay = false;
  const server = createServer(async (req, res) => {
    const body = await readAll(req);
    if (!(replay && captured)) {
      const r = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers: { 'content-type': String(req.headers['content-type']) },
        body,
      });
      captured = { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
    }
    res.statusCode = captured.status;
    res.setHeader('content-type', captured.headers.get('content-type') ?? 'application/json');
    const sig = captured.headers.get('x-jws-signature');
    if (sig) res.setHeader('x-jws-signature', sig);
    res.end(captured.body);
  });
  return {
    server,
    setTarget: (t: string) => (target = t),
    replayNext: () => (replay = true),
  };
}

function agencyKey(kid: string): { signer: Signer; jwk: Record<string, unknown> } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    signer: { kid, key: privateKey },
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' },
  };
}

const route = (id: string, path: string, endpoint: string, extra: string) =>
  `id: ${id}\nfrom: { adapter: http, method: POST, path: ${path} }\nto: { endpoint: ${endpoint} }\nservice: test.${id}\n${extra}\n`;

let gw: TestGateway;
let routesDir: string;
const echo = echoProvider();
const proxy = interceptor();
const agency = agencyKey('agency-key-1');
const tokens: Record<string, string> = {};

beforeAll(async () => {
  routesDir = mkdtempSync(join(tmpdir(), 'lt-sig-routes-'));
  for (const f of readdirSync(join(ROOT, 'routes')))
    copyFileSync(join(ROOT, 'routes', f), join(routesDir, f));
  const files: Record<string, string> = {
    'echo.yaml': route('echo', '/v1/echo', 'echo', 'signature: { signOutbound: true }'),
    'echo-signed.yaml': route(
      'echo-signed',
      '/v1/echo/signed',
      'echo',
      'signature: { require: true }',
    ),
    'reflected.yaml': route(
      'reflected',
      '/v1/reflected',
      'reflect',
      'signature: { signOutbound: true }',
    ),
    'proxied.yaml': route(
      'proxied',
      '/v1/proxied',
      'proxied',
      'contract: local/connection-test\nreport: true',
    ),
  };
  for (const [f, text] of Object.entries(files)) writeFileSync(join(routesDir, f), text);
  const echoUrl = await listen(echo.server);
  const proxyUrl = await listen(proxy.server);
  const client = async (id: string, routes: string[], jwks?: string) => ({
    id,
    secretHash: await hashSecret(`${id}-secret`),
    orgId: '000.00.00.H57',
    routes,
    ...(jwks ? { jwks } : {}),
  });
  gw = await startTestGateway({
    routesDir,
    clients: [
      await client('demo', ['*'], 'gateway-self'),
      await client('limited', ['echo']),
      await client('agency-a', ['*'], 'agency'),
      await client('agency-b', ['*'], 'agency'),
    ],
    peers: { agency: { jwks: { keys: [agency.jwk] } } },
    endpoints: {
      echo: { adapter: 'http', url: echoUrl, options: { path: '/echo' } },
      reflect: {
        adapter: 'http',
        url: echoUrl,
        verifyReplyWith: 'gateway-self',
        options: { path: '/reflect' },
      },
      proxied: {
        adapter: 'http',
        url: proxyUrl,
        verifyReplyWith: 'test-provider',
        options: { path: '/echo' },
      },
    },
  });
  proxy.setTarget(gw.simulators.get('test-provider')!.url);
  for (const id of ['demo', 'limited', 'agency-a', 'agency-b'])
    tokens[id] = await demoToken(gw.url, id, `${id}-secret`);
});

afterAll(async () => {
  await gw?.stop();
  await new Promise((r) => echo.server.close(r));
  await new Promise((r) => proxy.server.close(r));
  rmSync(routesDir, { recursive: true, force: true });
});

async function post(path: string, body: string | Buffer, headers: Record<string, string>) {
  const res = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, sig: res.headers.get('x-jws-signature') };
}
const as = (client: string, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${tokens[client]}`,
  ...extra,
});
/** `<header>..<signature>` with the body put between the dots: a compact JWS. */
const compactOf = (detached: string, body: Buffer | string) => {
  const [h, , s] = detached.split('.');
  return `${h}.${Buffer.from(body).toString('base64url')}.${s}`;
};
const forgedClaims = () =>
  JSON.stringify({
    iss: 'lienthong',
    sub: 'demo',
    aud: gw.config.tokens.audience,
    client_id: 'demo',
    exp: 4102444800,
  });

describe('forged bearer tokens', () => {
  it('the limited client may not call the connection test with its own token', async () => {
    const res = await post('/v1/connection-test', '{"message":"x"}', as('limited'));
    expect(res.json.code).toBe('LT_POLICY_ROUTE_NOT_ALLOWED');
  });

  it('a reply signature over echoed claims is not a bearer token for another client', async () => {
    const body = forgedClaims();
    const echoed = await post('/v1/echo', body, as('limited'));
    expect(echoed.status).toBe(200);
    expect(echoed.text).toBe(body);
    const forged = compactOf(echoed.sig!, echoed.text);
    const res = await post('/v1/connection-test', '{"message":"x"}', {
      authorization: `Bearer ${forged}`,
    });
    expect(res.json.code).toBe('LT_AUTH_TOKEN_INVALID');
    expect(res.status).toBe(401);
  });

  it('the gateway’s outbound signature over the same claims, as the provider saw it, is not one either', async () => {
    const body = forgedClaims();
    expect((await post('/v1/echo', body, as('limited'))).status).toBe(200);
    const seen = echo.last();
    const forged = compactOf(String(seen.headers['x-jws-signature']), seen.body);
    const res = await post('/v1/connection-test', '{"message":"x"}', {
      authorization: `Bearer ${forged}`,
    });
    expect(res.json.code).toBe('LT_AUTH_TOKEN_INVALID');
  });
});

describe('a gateway signature accepted as a caller’s signed request (gateway-self JWKS)', () => {
  const message = '{"message":"signed hello"}';

  it('a gateway reply is not the demo client’s signed request', async () => {
    const echoed = await post('/v1/echo', message, as('demo'));
    expect(echoed.text).toBe(message);
    const res = await post(
      '/v1/connection-test/signed',
      echoed.text,
      as('demo', { 'x-jws-signature': echoed.sig! }),
    );
    expect(res.json.code).toBe('LT_SIG_WRONG_TYPE');
    expect(res.status).toBe(401);
  });

  it('the gateway’s outbound signature, handed back by the provider, is not one either', async () => {
    expect((await post('/v1/echo', message, as('demo'))).status).toBe(200);
    const seen = echo.last();
    const res = await post(
      '/v1/connection-test/signed',
      seen.body,
      as('demo', { 'x-jws-signature': String(seen.headers['x-jws-signature']) }),
    );
    expect(res.json.code).toBe('LT_SIG_WRONG_TYPE');
  });

  it('an access token sent as an application/jose body is not one either', async () => {
    const res = await post(
      '/v1/connection-test/signed',
      tokens.demo,
      as('demo', { 'content-type': 'application/jose' }),
    );
    expect(res.json.code).toBe('LT_SIG_UNKNOWN_KEY');
  });
});

describe('provider replies bound to the request they answer', () => {
  it('answers through the interceptor while it passes replies on', async () => {
    const res = await post('/v1/proxied', '{"message":"first"}', as('demo'));
    expect(res.status).toBe(200);
    expect(res.json.provider.echo).toEqual({ message: 'first' });
    expect(res.json.stages.find((s: any) => s.stage === 'verify-reply').saw.valid).toBe(true);
  });

  it('refuses a captured provider reply replayed as the answer to another request', async () => {
    proxy.replayNext();
    const res = await post('/v1/proxied', '{"message":"second"}', as('demo'));
    expect(res.json.code).toBe('LT_UPSTREAM_SIG_INVALID');
    expect(res.status).toBe(502);
  });

  it('refuses the gateway’s own outbound signature reflected back as the provider’s reply', async () => {
    const res = await post('/v1/reflected', '{"message":"mirror"}', as('demo'));
    expect(res.json.code).toBe('LT_UPSTREAM_SIG_INVALID');
  });

  it('the test provider refuses a gateway reply signature where the gateway’s outbound one is expected', async () => {
    const echoed = await post('/v1/echo', '{"message":"x"}', as('demo'));
    const sim = gw.simulators.get('test-provider')!.url;
    const res = await fetch(`${sim}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-jws-signature': echoed.sig! },
      body: echoed.text,
    });
    const answer = (await res.json()) as any;
    expect(answer.signature).toEqual({ present: true, valid: false, code: 'LT_SIG_WRONG_TYPE' });
  });
});

describe('signed requests bound to method, path, audience and signing key', () => {
  const body = '{"message":"from the agency"}';
  const signed = (claims: Record<string, unknown> = {}) =>
    signDetached(
      Buffer.from(body),
      requestSignatureHeader(gw, '/v1/connection-test/signed', claims),
      agency.signer,
    );

  it('accepts the agency’s signed request once', async () => {
    const sig = signed();
    const res = await post(
      '/v1/connection-test/signed',
      body,
      as('agency-a', { 'x-jws-signature': sig }),
    );
    expect(res.status).toBe(200);
  });

  it('refuses the same signed request from another client sharing the agency key', async () => {
    const sig = signed();
    expect(
      (await post('/v1/connection-test/signed', body, as('agency-a', { 'x-jws-signature': sig })))
        .status,
    ).toBe(200);
    const res = await post(
      '/v1/connection-test/signed',
      body,
      as('agency-b', { 'x-jws-signature': sig }),
    );
    expect(res.json.code).toBe('LT_SIG_REPLAYED');
    expect(res.status).toBe(409);
  });

  it.each([
    ['signed for another route', { htu: '/v1/connection-test/signed' }, '/v1/echo/signed'],
    ['signed for another method', { htm: 'PUT' }, '/v1/connection-test/signed'],
    ['signed for another gateway', { aud: 'urn:another-gateway' }, '/v1/connection-test/signed'],
    [
      'not naming its route at all',
      { htm: undefined, htu: undefined, aud: undefined },
      '/v1/connection-test/signed',
    ],
  ])('refuses a request %s with LT_SIG_NOT_BOUND', async (_n, claims, path) => {
    const res = await post(path, body, as('agency-a', { 'x-jws-signature': signed(claims) }));
    expect(res.json.code).toBe('LT_SIG_NOT_BOUND');
    expect(res.status).toBe(401);
  });

  it('refuses an enveloped request typed the old way (JOSE)', async () => {
    const jws = signCompact(
      Buffer.from(body),
      requestSignatureHeader(gw, '/v1/connection-test/signed', { typ: 'JOSE' }),
      agency.signer,
    );
    const res = await post(
      '/v1/connection-test/signed',
      jws,
      as('agency-a', { 'content-type': 'application/jose' }),
    );
    expect(res.json.code).toBe('LT_SIG_WRONG_TYPE');
  });
});

describe('upgrading a gateway whose key file predates key purposes', () => {
  let old: TestGateway | undefined;
  let dir: string;
  afterAll(async () => {
    await old?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its key for envelopes, adds a token key, and refuses tokens issued before the upgrade', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lt-legacy-keys-'));
    mkdirSync(dir, { recursive: true });
    const legacy = agencyKey('legacy-key');
    const d = legacy.signer.key.export({ format: 'jwk' }).d;
    writeFileSync(
      join(dir, 'keys.json'),
      JSON.stringify({
        keys: [{ ...legacy.jwk, d }],
        created: { 'legacy-key': '2025-01-01T00:00:00.000Z' },
      }),
    );
    old = await startTestGateway({ keys: { file: join(dir, 'keys.json') } });
    expect(old.keys.activeKid('envelope')).toBe('legacy-key');
    const jwks = (await (await fetch(`${old.url}/.well-known/jwks.json`)).json()) as any;
    expect(jwks.keys.map((k: any) => k.kid)).toEqual(['legacy-key']);

    // A token as the gateway issued them before: typ JWT, signed with that key, no aud.
    const now = Math.floor(Date.now() / 1000);
    const before = signCompact(
      Buffer.from(
        JSON.stringify({
          iss: 'lienthong',
          sub: 'demo',
          org: '000.00.00.H57',
          iat: now,
          exp: now + 3600,
          jti: 'x',
        }),
      ),
      { typ: 'JWT' },
      legacy.signer,
    );
    const call = (token: string) =>
      fetch(`${old!.url}/v1/connection-test`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"message":"x"}',
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const refused = await call(before);
    expect(refused.body.code).toBe('LT_AUTH_TOKEN_INVALID');
    expect((await call(await demoToken(old.url))).status).toBe(200);
  });
});
