// An operator's first day: every refusal before routing has a log line with its
// request id and a count in /metrics, ids and traces cross the gateway, and the
// HTTP conventions (WWW-Authenticate, Allow, Retry-After) hold on the real port.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { demoToken, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
let token: string;
const lines: Record<string, unknown>[] = [];
const log = pino(
  { level: 'info' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  }),
);

async function metrics(): Promise<string> {
  return (await fetch(`${gw.url}/metrics`)).text();
}

/** The value of one sample in the metrics text, 0 when absent. */
function sample(text: string, name: string, labels: string): number {
  const esc = (s: string) => s.replace(/[{}[\]()+.*?^$|\\]/g, '\\$&');
  const m = new RegExp(`^${esc(name)}\\{${esc(labels)}\\} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

function post(path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body,
  });
}

beforeAll(async () => {
  gw = await startTestGateway({}, {}, undefined, { log });
  token = await demoToken(gw.url);
});

afterAll(async () => {
  await gw?.stop();
});

describe('X-Request-Id', () => {
  it('echoes a sane caller id, and logs the exchange under it', async () => {
    const res = await post('/v1/connection-test', '{"message":"x"}', { 'x-request-id': 'abc-123' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    expect(lines.find((l) => l.msg === 'exchange' && l.req === 'abc-123')).toBeDefined();
  });

  it('replaces an id that is too long or unsafe in a log line, and invents one when absent', async () => {
    for (const bad of ['x'.repeat(129), 'a b', 'a"b']) {
      const res = await fetch(`${gw.url}/healthz`, { headers: { 'x-request-id': bad } });
      const id = res.headers.get('x-request-id');
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
    const none = await fetch(`${gw.url}/healthz`);
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('refusals before routing are logged with their id and counted', () => {
  const cases: [string, () => Promise<Response>, string, number][] = [
    ['bad JSON', () => post('/v1/connection-test', '{"message":'), 'LT_BAD_JSON', 400],
    [
      'a body over the limit',
      () => post('/v1/connection-test', JSON.stringify({ message: 'x'.repeat(2_000_000) })),
      'LT_BODY_TOO_LARGE',
      413,
    ],
    [
      'an unknown media type',
      () => post('/v1/connection-test', 'x', { 'content-type': 'application/x-unknown' }),
      'LT_UNSUPPORTED_MEDIA_TYPE',
      415,
    ],
    ['an unknown path', () => post('/v1/nowhere?secret=1', '{}'), 'LT_ROUTE_NOT_FOUND', 404],
    [
      'XML the parser refuses',
      () =>
        post('/npd', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>', {
          'content-type': 'text/xml',
        }),
      'LT_XML_DTD_FORBIDDEN',
      500,
    ],
  ];
  it.each(cases)('%s', async (_what, send, code, status) => {
    const before = sample(
      await metrics(),
      'lienthong_refusals_total',
      `code="${code}",stage="pre-route"`,
    );
    const res = await send();
    expect(res.status).toBe(status);
    expect(await res.text()).toContain(code);
    const id = res.headers.get('x-request-id');
    expect(id).toBeTruthy();
    const line = lines.find((l) => l.msg === 'refused' && l.req === id);
    expect(line).toMatchObject({ code, stage: 'pre-route', method: 'POST', ip: '127.0.0.1' });
    expect(String(line!.path)).not.toContain('?');
    expect(
      sample(await metrics(), 'lienthong_refusals_total', `code="${code}",stage="pre-route"`),
    ).toBe(before + 1);
  });

  it('counts bytes Node refuses before fastify sees them, with an id in the answer', async () => {
    const { hostname, port } = new URL(gw.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.end('NOT HTTP AT ALL\r\n\r\n'));
      let out = '';
      socket.on('data', (d: Buffer) => (out += d.toString()));
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
    });
    const id = /X-Request-Id: (\S+)/.exec(answer)![1];
    expect(lines.find((l) => l.msg === 'refused' && l.req === id)).toMatchObject({
      code: 'LT_HTTP_MALFORMED',
      stage: 'http-parser',
    });
    expect(
      sample(
        await metrics(),
        'lienthong_refusals_total',
        'code="LT_HTTP_MALFORMED",stage="http-parser"',
      ),
    ).toBeGreaterThanOrEqual(1);
  });
});

describe('/token', () => {
  it('counts issued tokens and failures; a bad client gets a Basic challenge', async () => {
    const before = await metrics();
    await demoToken(gw.url);
    const bad = await fetch(`${gw.url}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('demo:wrong').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Basic realm="lienthong", charset="UTF-8"');
    expect(((await bad.json()) as { code: string }).code).toBe('LT_AUTH_INVALID_CLIENT');
    const after = await metrics();
    const issued = 'lienthong_tokens_issued_total';
    expect(sample(after, issued, 'client="demo"')).toBe(
      sample(before, issued, 'client="demo"') + 1,
    );
    const failed = 'lienthong_token_failures_total';
    const code = 'code="LT_AUTH_INVALID_CLIENT"';
    expect(sample(after, failed, code)).toBe(sample(before, failed, code) + 1);
    expect(
      sample(after, 'lienthong_refusals_total', `${code},stage="token"`),
    ).toBeGreaterThanOrEqual(1);
    expect(
      lines.find((l) => l.msg === 'refused' && l.req === bad.headers.get('x-request-id')),
    ).toBeDefined();
  });
});

describe('HTTP conventions', () => {
  it('401 on a bearer route challenges with Bearer (RFC 6750)', async () => {
    const missing = await post('/v1/connection-test', '{"message":"x"}', { authorization: '' });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="lienthong"');
    const invalid = await post('/v1/connection-test', '{"message":"x"}', {
      authorization: 'Bearer not-a-token',
    });
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="lienthong", error="invalid_token", error_description="[^"]+"$/,
    );
  });

  it('a wrong method on a known path is 405 with Allow', async () => {
    const res = await fetch(`${gw.url}/v1/connection-test`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(((await res.json()) as { code: string }).code).toBe('LT_METHOD_NOT_ALLOWED');
    const jwks = await fetch(`${gw.url}/.well-known/jwks.json`, { method: 'POST' });
    expect(jwks.status).toBe(405);
    expect(jwks.headers.get('allow')).toBe('GET, HEAD');
  });

  it('times each provider attempt per endpoint and outcome', async () => {
    const name = 'lienthong_upstream_request_duration_seconds_count';
    const labels = 'endpoint="test-provider",outcome="OK"';
    const before = sample(await metrics(), name, labels);
    expect((await post('/v1/connection-test', '{"message":"x"}')).status).toBe(200);
    expect(sample(await metrics(), name, labels)).toBe(before + 1);
  });
});

describe('metric names (Prometheus conventions)', () => {
  it('every counter ends in _total, every histogram of time is in _seconds', async () => {
    const text = await metrics();
    const typed = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]);
    const counters = typed.filter(([, t]) => t === 'counter').map(([n]) => n);
    expect(counters).toContain('lienthong_xsd_worker_validations_total');
    expect(counters.filter((n) => !n.endsWith('_total'))).toEqual([]);
    const histograms = typed.filter(([, t]) => t === 'histogram').map(([n]) => n);
    expect(histograms).toContain('lienthong_upstream_request_duration_seconds');
    expect(histograms.filter((n) => n.includes('duration') && !n.endsWith('_seconds'))).toEqual([]);
  });
});

describe('traceparent (W3C Trace Context)', () => {
  it('logs the caller’s trace id on the exchange line (the provider gets it: test/unit/message/trace.test.ts)', async () => {
    const caller = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const res = await post('/v1/connection-test', '{"message":"x"}', {
      traceparent: caller,
      'x-request-id': 'trace-1',
    });
    expect(res.status).toBe(200);
    const line = lines.find((l) => l.msg === 'exchange' && l.req === 'trace-1');
    expect(line!.trace).toBe('0af7651916cd43dd8448eb211c80319c');
  });
});
