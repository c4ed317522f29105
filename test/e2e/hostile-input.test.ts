import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { demoToken, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { rawRequest } from '../helpers/http.js';

// The attacks of docs/security.md, each through the gateway's real port: what an
// unauthenticated caller can make the gateway do (part 3), and what any caller
// learns or breaks with odd input (part 4). Assertions are on codes and sizes.

/** What the fake provider answers next (both endpoints point at it). */
let next: { status: number; headers: Record<string, string>; body: string | Buffer } = {
  status: 200,
  headers: {},
  body: '',
};
let provider: Server;
let providerUrl: string;
let gw: TestGateway;
let token: string;
const logLines: Record<string, unknown>[] = [];

const raw = rawRequest;

/** A JSON POST, with the demo token unless `auth` is false. */
const postJson = (
  path: string,
  body: string | Buffer,
  auth = true,
  headers: Record<string, string> = {},
) =>
  raw(gw.url, {
    method: 'POST',
    path,
    headers: {
      ...(auth ? { authorization: `Bearer ${token}` } : {}),
      'content-type': 'application/json',
      ...headers,
    },
    body,
  });

const FORM = 'grant_type=client_credentials';

/** A form POST to /token with HTTP Basic credentials `cred` (id:secret, before base64). */
const postToken = (
  cred: string,
  headers: Record<string, string> = {},
  body: string | Buffer = FORM,
) =>
  raw(gw.url, {
    method: 'POST',
    path: '/token',
    headers: {
      ...(cred ? { authorization: `Basic ${Buffer.from(cred).toString('base64')}` } : {}),
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    },
    body,
  });

/** A SOAP POST to /npd, with the demo token unless `auth` is false. */
const postSoap = (body: string, auth = true) =>
  raw(gw.url, {
    method: 'POST',
    path: '/npd',
    headers: {
      ...(auth ? { authorization: `Bearer ${token}` } : {}),
      'content-type': 'text/xml; charset=utf-8',
    },
    body,
  });

const faultCode = (xml: string) => /<lt:code>([^<]+)<\/lt:code>/.exec(xml)?.[1];
const jsonCode = (text: string) => (JSON.parse(text) as { code?: string }).code;

const soapLookup = (id: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:dan="http://dancuquocgia.bca"><soapenv:Header/><soapenv:Body><dan:TraCuuThongTinCongDan><dan:MaYeuCau>R-1</dan:MaYeuCau><dan:MaDVC>G15-TP110</dan:MaDVC><dan:MaTichHop>037</dan:MaTichHop><dan:MaCanBo>canbo01</dan:MaCanBo><dan:SoDinhDanh>${id}</dan:SoDinhDanh></dan:TraCuuThongTinCongDan></soapenv:Body></soapenv:Envelope>`;

const SECRET_BODY =
  'java.sql.SQLException: Connection refused\n\tat org.postgresql.Driver.connect(Driver.java:285)\n\turl=jdbc:postgresql://10.20.30.40:5432/npd_prod?user=npd_app';

beforeAll(async () => {
  provider = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(next.status, next.headers);
      res.end(next.body);
    });
  });
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
  providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  gw = await startTestGateway(
    {
      endpoints: {
        'test-provider': {
          simulator: null,
          url: `${providerUrl}/echo`,
          verifyReplyWith: null,
          breaker: { volumeThreshold: 10, resetTimeoutMs: 60_000 },
        },
        npd: { simulator: null, url: `${providerUrl}/npd` },
      },
    },
    {},
    undefined,
    { log: pino({ level: 'info' }, sink) },
  );
  token = await demoToken(gw.url);
});

afterAll(async () => {
  await gw?.stop();
  await new Promise((r) => provider?.close(r));
});

describe('part 3: what an unauthenticated request can cost', () => {
  it("a Host header of $' is refused, not expanded into a 131 MB WSDL (LT_HTTP_MALFORMED)", async () => {
    const r = await raw(gw.url, { path: '/npd?wsdl', headers: { host: "$'".repeat(1000) } });
    expect(r.status).toBe(500); // SOAP 1.1: a fault travels with 500
    expect(faultCode(r.text)).toBe('LT_HTTP_MALFORMED');
    expect(r.text.length).toBeLessThan(4096);
  });

  it('a Host header carrying markup cannot point the WSDL elsewhere (LT_HTTP_MALFORMED)', async () => {
    for (const host of ['a"><x:evil/>', "evil.example/'x", 'a b', 'evil.example:80/npd?']) {
      const r = await raw(gw.url, { path: '/npd?wsdl', headers: { host } });
      expect(faultCode(r.text)).toBe('LT_HTTP_MALFORMED');
    }
  });

  it('a host name is used as given, the WSDL staying the size of the file', async () => {
    const ok = await raw(gw.url, { path: '/npd?wsdl', headers: { host: 'gw.example.vn:8443' } });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('location="http://gw.example.vn:8443/npd"');
    expect(ok.text).toContain('schemaLocation="http://gw.example.vn:8443/npd?xsd=npd-request.xsd"');
    expect(ok.text.length).toBeLessThan(10_000);
    const xsd = await raw(gw.url, { path: '/npd?xsd=npd-request.xsd', headers: { host: "$'" } });
    expect(faultCode(xsd.text)).toBe('LT_HTTP_MALFORMED');
  });

  it('the NPD simulator publishes its WSDL the same way (400 for a Host that is not a host)', async () => {
    const sim = gw.simulators.get('npd')!.url;
    const bad = await raw(sim, { path: '/npd?wsdl', headers: { host: "$'".repeat(1000) } });
    expect(bad.status).toBe(400);
    expect(bad.text.length).toBeLessThan(4096);
    const ok = await raw(sim, { path: '/npd?wsdl', headers: { host: 'sim.example' } });
    expect(ok.text).toContain('location="http://sim.example/npd"');
  });

  it('a flood of wrong secrets on POST /token is refused beyond one scrypt at a time (LT_AUTH_BUSY)', async () => {
    const wrong = () => postToken('demo:wrong');
    const answers = await Promise.all(Array.from({ length: 8 }, wrong));
    const codes = answers.map((a) => jsonCode(a.text));
    expect(codes).toContain('LT_AUTH_BUSY');
    expect(codes).toContain('LT_AUTH_INVALID_CLIENT');
    expect(new Set(codes)).toEqual(new Set(['LT_AUTH_BUSY', 'LT_AUTH_INVALID_CLIENT']));
    const busy = answers.find((a) => jsonCode(a.text) === 'LT_AUTH_BUSY')!;
    expect(busy.status).toBe(503);
    expect((JSON.parse(busy.text) as { error: string }).error).toBe('temporarily_unavailable');
    // Once the flood is over, a client gets its token.
    expect(await demoToken(gw.url)).toBeTruthy();
  });

  it('3,000 stacked gzip layers on POST /token are refused before any is undone (LT_UNSUPPORTED_MEDIA_TYPE)', async () => {
    // 15 KB: under Node's 16 KB header limit, which would answer 431 first.
    const codings = Array(3000).fill('gzip').join(',');
    const r = await postToken('', { 'content-encoding': codings }, gzipSync(FORM));
    expect(r.status).toBe(415);
    expect(jsonCode(r.text)).toBe('LT_UNSUPPORTED_MEDIA_TYPE');
  });

  it('one gzip layer is still accepted (server.maxContentCodings: 1)', async () => {
    const r = await postJson('/v1/connection-test', gzipSync(gzipSync('{"message":"x"}')), true, {
      'content-encoding': 'gzip, gzip',
    });
    expect(jsonCode(r.text)).toBe('LT_UNSUPPORTED_MEDIA_TYPE');
    next = {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'p', receivedDigest: 'd', signature: {}, echo: null }),
    };
    const one = await postJson('/v1/connection-test', gzipSync('{"message":"x"}'), true, {
      'content-encoding': 'gzip',
    });
    expect(one.status).toBe(200);
  });

  it('1 MB of empty XML elements (250,000) is refused at the node bound (LT_XML_TOO_MANY_NODES)', async () => {
    const body = '<a>' + '<b/>'.repeat(262_000) + '</a>';
    const r = await postSoap(body, false);
    expect(faultCode(r.text)).toBe('LT_XML_TOO_MANY_NODES');
  });

  it('JSON nested 500,000 deep or with 70,000 keys is refused before it is parsed', async () => {
    const post = (body: string) => postJson('/v1/connection-test', body, false);
    expect(jsonCode((await post('['.repeat(500_000) + ']'.repeat(500_000))).text)).toBe(
      'LT_JSON_TOO_DEEP',
    );
    const keys = '{' + Array.from({ length: 70_000 }, (_, i) => `"k${i}":1`).join(',') + '}';
    expect(jsonCode((await post(keys)).text)).toBe('LT_JSON_TOO_MANY_NODES');
  });
});

describe('part 4: what a caller learns, and what breaks on odd input', () => {
  it("a provider's 500 body (stack trace, JDBC URL) is logged under the exchange id, not shown", async () => {
    next = { status: 500, headers: { 'content-type': 'text/plain' }, body: SECRET_BODY };
    const r = await postJson('/v1/connection-test', '{"message":"x"}');
    expect(r.status).toBe(502);
    expect(jsonCode(r.text)).toBe('LT_UPSTREAM_ERROR');
    expect(r.text).not.toMatch(/jdbc|SQLException|10\.20\.30\.40/);
    const ex = r.headers['x-lt-exchange-id'];
    const line = logLines.find((l) => l.ex === ex && l.msg === 'provider error');
    expect(line?.level).toBe(40); // warn
    expect(String(line?.provider)).toContain('jdbc:postgresql://10.20.30.40');
  });

  it("an NPD fault's faultstring is logged, not shown, on the JSON and the SOAP facade", async () => {
    const fault = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>${SECRET_BODY}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`;
    next = { status: 500, headers: { 'content-type': 'text/xml' }, body: fault };
    const json = await postJson(
      '/v1/npd/citizens/verify',
      JSON.stringify({ serviceCode: 'G15-TP110', officer: 'c', idNumber: '001099012345' }),
    );
    expect(jsonCode(json.text)).toBe('LT_UPSTREAM_FAULT');
    expect(json.text).not.toMatch(/jdbc|SQLException/);
    const soap = await postSoap(soapLookup('001099012345'));
    expect(faultCode(soap.text)).toBe('LT_UPSTREAM_FAULT');
    expect(soap.text).not.toMatch(/jdbc|SQLException/);
    const ex = soap.headers['x-lt-exchange-id'];
    expect(logLines.some((l) => l.ex === ex && String(l.provider).includes('jdbc:'))).toBe(true);
  });

  it("keeps a relayed lienthong fault's code from the table (providerCode), nothing else of it", async () => {
    const fault = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>LT_CCCD_INVALID: ${SECRET_BODY}</faultstring><detail><lt:error xmlns:lt="urn:lienthong:error"><lt:code>LT_CCCD_INVALID</lt:code><lt:vi>x</lt:vi><lt:en>x</lt:en></lt:error></detail></soap:Fault></soap:Body></soap:Envelope>`;
    next = { status: 500, headers: { 'content-type': 'text/xml' }, body: fault };
    const soap = await postSoap(soapLookup('001099012345'));
    expect(faultCode(soap.text)).toBe('LT_UPSTREAM_FAULT');
    expect(soap.text).toContain('(LT_CCCD_INVALID)');
    expect(soap.text).not.toMatch(/jdbc|SQLException/);
  });

  it.each([
    ['U+0001', '<\u0001/>'],
    ['U+FFFE', '<\uFFFE/>'],
    ['U+FFFF', '<\uFFFF/>'],
  ])('a parse error quoting %s is still a SOAP fault (R8), not a JSON 500', async (_name, body) => {
    const r = await postSoap(body, false);
    expect(r.status).toBe(500);
    expect(r.headers['content-type']).toMatch(/^text\/xml/);
    expect(faultCode(r.text)).toBe('LT_XML_MALFORMED');
  });

  it("the caller's X-Request-Id is cut to 128 characters in the exchange log line", async () => {
    const r = await postJson('/v1/connection-test', '{"message":"x"}', false, {
      'x-request-id': 'r'.repeat(8000),
    });
    expect(jsonCode(r.text)).toBe('LT_AUTH_MISSING');
    const ex = r.headers['x-lt-exchange-id'];
    const line = logLines.find((l) => l.ex === ex && l.msg === 'exchange');
    expect(String(line?.req).length).toBeLessThanOrEqual(129);
  });

  it('a refusal echoing the caller (an unknown path) is cut to a bounded detail', async () => {
    const r = await raw(gw.url, { path: `/${'p'.repeat(12_000)}` });
    expect(jsonCode(r.text)).toBe('LT_ROUTE_NOT_FOUND');
    expect(r.text.length).toBeLessThan(2000);
  });

  it('/token with malformed percent-escapes in Basic credentials is a 401 invalid_client', async () => {
    for (const cred of ['%zz:secret', 'demo:%', '%E0%A4%A:x']) {
      const r = await postToken(cred);
      expect(r.status).toBe(401);
      expect(jsonCode(r.text)).toBe('LT_AUTH_INVALID_CLIENT');
      expect((JSON.parse(r.text) as { error: string }).error).toBe('invalid_client');
    }
  });

  it('a JSON body repeating a key is refused (LT_JSON_DUPLICATE_KEY), escaped spellings too', async () => {
    for (const body of [
      '{"message":"ok","message":"other"}',
      '{"message":"ok","\\u006dessage":"other"}',
      '{"echo":{"a":1,"a":2}}',
    ]) {
      const r = await postJson('/v1/connection-test', body);
      expect(r.status).toBe(400);
      expect(jsonCode(r.text)).toBe('LT_JSON_DUPLICATE_KEY');
    }
  });

  it("a provider's text/html is never relayed: LT_UPSTREAM_BAD_REPLY; its +json is answered as application/json", async () => {
    const ok = JSON.stringify({ provider: 'p', receivedDigest: 'd', signature: {}, echo: null });
    const post = () => postJson('/v1/connection-test', '{"message":"x"}');
    next = { status: 200, headers: { 'content-type': 'text/html' }, body: ok };
    const html = await post();
    expect(html.status).toBe(502);
    expect(jsonCode(html.text)).toBe('LT_UPSTREAM_BAD_REPLY');
    next = { status: 200, headers: { 'content-type': 'application/vnd.acme+json' }, body: ok };
    const vendor = await post();
    expect(vendor.status).toBe(200);
    expect(vendor.headers['content-type']).toMatch(/^application\/json/);
  });

  it('a provider 3xx is not followed and counts as a provider failure: LT_UPSTREAM_ERROR, then the breaker opens', async () => {
    next = { status: 302, headers: { location: 'http://evil.example/' }, body: '' };
    const codes: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await postJson('/v1/connection-test', '{"message":"x"}');
      codes.push(jsonCode(r.text) ?? String(r.status));
    }
    expect(codes[0]).toBe('LT_UPSTREAM_ERROR');
    expect(codes).toContain('LT_BREAKER_OPEN');
  });
});
