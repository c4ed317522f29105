import { describe, expect, it } from '@jest/globals';
import { bindNdxp, NdxpInboundSchema, type NdxpInbound } from '../../../adapters/ndxp/inbound.js';
import type { HttpInboundContext } from '../../../src/adapter/spec.js';
import type { HttpRouteOptions } from '../../../src/adapter/http-host.js';
import { checkSchema } from '../../../src/config/validate.js';
import { GatewayError } from '../../../src/message/errors.js';
import type { DispatchInit } from '../../../src/adapter/contract.js';
import type { Exchange, Message } from '../../../src/message/index.js';
import { parseSoapEnvelope, soapEnvelope } from '../../../src/xml/index.js';
import { parseClientId, parseServiceId, writeXRoadHeader } from '../../../src/xroad/index.js';
import { routeDef } from '../../helpers/route.js';

// The provider side of adapters/ndxp in isolation (issue 17): what the pipeline is handed
// (the X-Road client as the Caller, channel xroad) and what the security server gets back.
const LIMITS = { maxBytes: 1 << 20, maxDepth: 64, maxNodes: 10000 };
const AGENCY = 'VN/GOV/000.00.00.H58/HOTICH';

function binding(fields: Record<string, unknown>): NdxpInbound {
  const r = checkSchema(NdxpInboundSchema, {
    adapter: 'ndxp',
    path: '/xroad',
    service: 'VN/GOV/000.00.00.H57/LT/lookup',
    ...fields,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

/** Binds routes against a fake host; `reply` is what the pipeline answers. */
function bound(b: NdxpInbound, reply: Message) {
  const routes: HttpRouteOptions[] = [];
  const seen: DispatchInit[] = [];
  const ctx = {
    http: {
      route: (o: HttpRouteOptions) => routes.push(o),
      rawBody: (req: { raw?: Buffer }) => req.raw,
      binding: (name: string) => ({ name }),
    },
    xmlLimits: LIMITS,
    contractsDir: '/nonexistent',
    dispatch: async (init: DispatchInit) => {
      seen.push(init);
      return { id: 'ex-1', reply } as unknown as Exchange;
    },
  } as unknown as HttpInboundContext;
  bindNdxp([{ binding: b, route: routeDef({ id: 'r1' }) }], ctx);
  const post = routes.find((r) => r.method !== 'GET')!;
  const call = async (req: Record<string, unknown>) => {
    const out: { status: number; headers: Record<string, string>; body?: unknown } = {
      status: 200,
      headers: {},
    };
    const rep: any = {
      code: (c: number) => ((out.status = c), rep),
      header: (k: string, v: string) => ((out.headers[k.toLowerCase()] = v), rep),
      type: (t: string) => ((out.headers['content-type'] = t), rep),
      send: (b: unknown) => ((out.body = b), rep),
    };
    try {
      await post.handler({ ip: '10.0.0.9', headers: {}, ...req } as never, rep);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      post.renderError!(err, req as never, rep);
    }
    return out;
  };
  return { call, seen };
}

const header = (service = 'VN/GOV/000.00.00.H57/LT/lookup') =>
  writeXRoadHeader({
    client: parseClientId(AGENCY),
    service: parseServiceId(service),
    id: 'm-9',
    userId: 'canbo-x',
    protocolVersion: '4.0',
  });
const soapReq = (h = header(), body = '<m:lookup xmlns:m="urn:reg"><m:id>1</m:id></m:lookup>') => {
  const raw = Buffer.from(soapEnvelope(body, h));
  return { raw, headers: { 'content-type': 'text/xml' } };
};
const xmlReply = (inner: string): Message => ({
  contentType: 'text/xml',
  headers: {},
  raw: Buffer.from(soapEnvelope(inner, '')),
  body: null,
});

describe('SOAP provider', () => {
  it('hands the pipeline the X-Road client as the caller, on channel xroad, with the service code as operation', async () => {
    const { call, seen } = bound(binding({}), xmlReply('<r:Data xmlns:r="urn:reg"/>'));
    await call(soapReq());
    expect(seen[0].channel).toBe('xroad');
    expect(seen[0].request.operation).toBe('lookup');
    expect(seen[0].caller).toMatchObject({
      clientId: AGENCY,
      orgId: '000.00.00.H58',
      subsystem: 'HOTICH',
      officer: 'canbo-x',
      ip: '10.0.0.9',
    });
  });

  it('auth: asserted — a client in allowClients is granted this route by config; any other is left to the policy model', async () => {
    const listed = bound(
      binding({ allowClients: [AGENCY] }),
      xmlReply('<r:Data xmlns:r="urn:reg"/>'),
    );
    await listed.call(soapReq());
    expect([...(listed.seen[0].caller!.routes as Set<string>)]).toEqual(['r1']);
    const other = bound(
      binding({ allowClients: ['VN/GOV/000.00.00.H99/OTHER'] }),
      xmlReply('<r:Data xmlns:r="urn:reg"/>'),
    );
    await other.call(soapReq());
    // Never 'all': with no config grant, the model decides by the member code (LT_POLICY_UNREGISTERED when unknown).
    expect(other.seen[0].caller!.routes).toEqual(new Set());
    // A client id that is not one (a typo, a service id) is a config error, not a silent no-match.
    const bad = checkSchema(NdxpInboundSchema, {
      adapter: 'ndxp',
      path: '/xroad',
      service: 'VN/GOV/000.00.00.H57/LT/lookup',
      allowClients: ['VN GOV H58'],
    });
    expect(bad.ok).toBe(false);
  });

  it('answers <serviceCode>Response with every request header copied back in the same order', async () => {
    const { call } = bound(binding({}), xmlReply('<r:Data xmlns:r="urn:reg"/>'));
    const out = await call(soapReq());
    const env = parseSoapEnvelope(String(out.body), LIMITS);
    expect([env.body.name, env.body.ns, env.body.children[0].name]).toEqual([
      'lookupResponse',
      'urn:reg',
      'Data',
    ]);
    expect(env.header!.children.map((k) => k.name)).toEqual([
      'client',
      'service',
      'id',
      'userId',
      'protocolVersion',
    ]);
  });

  it('an answer already named <serviceCode>Response is not wrapped again', async () => {
    const { call } = bound(
      binding({}),
      xmlReply('<r:lookupResponse xmlns:r="urn:reg"><r:x/></r:lookupResponse>'),
    );
    const env = parseSoapEnvelope(String((await call(soapReq())).body), LIMITS);
    expect([env.body.name, env.body.children[0].name]).toEqual(['lookupResponse', 'x']);
  });

  it('refuses another service, or a Body element that is not the service\u2019s, with SOAP faults carrying the code', async () => {
    const { call, seen } = bound(binding({ namespace: 'urn:reg' }), xmlReply('<r/>'));
    const other = await call(soapReq(header('VN/GOV/000.00.00.H57/LT/other')));
    expect(String(other.body)).toContain('<lt:code>LT_XROAD_SERVICE_UNKNOWN</lt:code>');
    const wrong = await call(soapReq(header(), '<m:lookup xmlns:m="urn:else"/>'));
    expect(String(wrong.body)).toContain('<lt:code>LT_SOAP_OPERATION_MISMATCH</lt:code>');
    const none = await call(soapReq(''));
    expect([none.status, String(none.body).includes('LT_XROAD_HEADER_MISSING')]).toEqual([
      500,
      true,
    ]);
    expect(seen).toHaveLength(0);
  });
});

describe('REST provider', () => {
  const json: Message = { contentType: 'application/json', headers: {}, body: { ok: 1 } };
  const rest = (headers: Record<string, string>) => ({
    headers: { 'content-type': 'application/json', ...headers },
    body: { q: 1 },
    raw: Buffer.from('{"q":1}'),
  });

  it('the caller is the X-Road-Client; the answer carries X-Road-Client, -Service and -Id back', async () => {
    const { call, seen } = bound(binding({ profile: 'rest', path: '/xroad/r' }), json);
    const out = await call(
      rest({
        'x-road-client': AGENCY,
        'x-road-service': 'VN/GOV/000.00.00.H57/LT/lookup',
        'x-road-id': 'r-1',
        'x-road-userid': 'u1',
      }),
    );
    expect(seen[0].caller).toMatchObject({
      clientId: AGENCY,
      orgId: '000.00.00.H58',
      subsystem: 'HOTICH',
      officer: 'u1',
    });
    expect([
      out.headers['x-road-client'],
      out.headers['x-road-service'],
      out.headers['x-road-id'],
    ]).toEqual([AGENCY, 'VN/GOV/000.00.00.H57/LT/lookup', 'r-1']);
  });

  it('refusals carry X-Road-Error and the {type, message, detail} body', async () => {
    const { call, seen } = bound(binding({ profile: 'rest', path: '/xroad/r' }), json);
    const cases: [Record<string, string>, string][] = [
      [{}, 'LT_XROAD_HEADER_MISSING'],
      [{ 'x-road-client': 'not/an id' }, 'LT_XROAD_HEADER_INVALID'],
      [{ 'x-road-client': AGENCY }, 'LT_XROAD_HEADER_MISSING'],
      [
        { 'x-road-client': AGENCY, 'x-road-service': 'VN/GOV/000.00.00.H57/LT/other' },
        'LT_XROAD_SERVICE_UNKNOWN',
      ],
    ];
    for (const [h, code] of cases) {
      const out = await call(rest(h));
      const body = JSON.parse(String(out.body)) as { type: string; detail: string };
      expect([out.headers['x-road-error'], body.type, body.detail]).toEqual([
        `Client.${code}`,
        `Client.${code}`,
        code,
      ]);
    }
    expect(seen).toHaveLength(0);
  });
});
