import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ndxpOutbound,
  startNdxpSimulator,
  type NdxpEndpoint,
  type NdxpSimulator,
} from '../../../adapters/ndxp/index.js';
import type { OutboundContext } from '../../../src/adapter/spec.js';
import { GatewayError } from '../../../src/message/errors.js';
import type { Message } from '../../../src/message/index.js';
import {
  parseSoapEnvelope,
  serializeElement,
  soapEnvelope,
  type XmlElement,
} from '../../../src/xml/index.js';
import { copiedHeaders, readXRoadHeader, requestHashOf } from '../../../src/xroad/index.js';
import { codeOf } from '../../helpers/errors.js';
import { exchange, tinyServer } from '../npd/helpers.js';

// The consumer side of adapters/ndxp against the security-server simulator and against fake
// security servers that answer badly (R1.1; issue 17 "Bad input and faults").
const LIMITS = { maxBytes: 1 << 20, maxDepth: 32, maxNodes: 1000 };
const ME = 'VN/GOV/000.00.00.H57/LIENTHONG';
const STRANGER = 'VN/GOV/000.00.00.H99/OTHER';
const base: NdxpEndpoint = {
  client: ME,
  service: 'VN/GOV/000.00.00.G12/REG',
  profile: 'soap',
  restMethod: 'POST',
  restPath: '',
  connections: 4,
  idempotent: false,
  maxBytes: 1 << 20,
  maxDepth: 64,
  maxNodes: 100000,
};
const soapRequest = (operation = 'lookup'): Message => ({
  contentType: 'text/xml; charset=utf-8',
  headers: {},
  body: null,
  raw: Buffer.from(soapEnvelope('<m:lookup xmlns:m="urn:reg"><m:id>1</m:id></m:lookup>', '')),
  operation,
});

/** An X-Road-aware SOAP provider: copies the request headers back, answers <serviceCode>Response. */
function soapProvider(req: IncomingMessage, body: string, res: ServerResponse): void {
  if (req.method === 'GET') {
    res.setHeader('content-type', 'text/xml');
    res.end('<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" name="reg"/>');
    return;
  }
  const env = parseSoapEnvelope(body, LIMITS);
  const code = readXRoadHeader(env.header).service.serviceCode;
  if (code === 'boom') {
    res.statusCode = 500;
    res.setHeader('content-type', 'text/xml');
    res.end(
      soapEnvelope(
        '<s:Fault xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><faultcode>s:Server</faultcode><faultstring>db down</faultstring></s:Fault>',
      ),
    );
    return;
  }
  const slow = code === 'slow' ? 300 : 0;
  setTimeout(() => {
    res.setHeader('content-type', 'text/xml');
    res.end(
      soapEnvelope(
        `<m:${code}Response xmlns:m="urn:reg"><m:name>An</m:name></m:${code}Response>`,
        copiedHeaders(env.header),
      ),
    );
  }, slow);
}

/** A REST provider echoing what the security server passed on. */
function restProvider(req: IncomingMessage, body: string, res: ServerResponse): void {
  res.setHeader('content-type', 'application/json');
  if (req.url?.includes('/fail')) {
    res.statusCode = 404;
    res.setHeader('x-road-error', 'Server.ServerProxy.ServiceFailed');
  }
  res.end(
    JSON.stringify({
      path: req.url,
      client: req.headers['x-road-client'],
      id: req.headers['x-road-id'],
      user: req.headers['x-road-userid'],
      body,
    }),
  );
}

let ss: NdxpSimulator;
let soapSrv: Awaited<ReturnType<typeof tinyServer>>;
let restSrv: Awaited<ReturnType<typeof tinyServer>>;

beforeAll(async () => {
  soapSrv = await tinyServer(soapProvider);
  restSrv = await tinyServer(restProvider);
  ss = await startNdxpSimulator({
    options: {
      clients: [ME, STRANGER],
      timeoutMs: 150,
      services: [
        {
          provider: 'VN/GOV/000.00.00.G12/REG',
          url: soapSrv.url,
          path: '/soap',
          profile: 'soap',
          codes: ['lookup', 'slow', 'boom', 'flaky'],
          allowed: [ME],
          copyHeaders: false,
        },
        {
          provider: 'VN/GOV/000.00.00.G12/API',
          url: restSrv.url,
          path: '/api',
          profile: 'rest',
          codes: ['people'],
          allowed: [ME],
          copyHeaders: false,
        },
      ],
    },
  });
});

afterAll(async () => {
  await ss?.close();
  await soapSrv?.close();
  await restSrv?.close();
});

async function send(cfg: Partial<NdxpEndpoint>, msg: Message, url = ss.url, officer?: string) {
  const out = ndxpOutbound({ ...base, ...cfg }, {
    name: 'ndxp',
    url,
    log: undefined as never,
  } as OutboundContext);
  const ex = exchange();
  if (officer) ex.caller = { clientId: 'demo', orgId: '000.00.00.H57', routes: 'all', officer };
  try {
    return await out.send(msg, ex, ex.signal);
  } finally {
    await out.close();
  }
}

async function failure(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('SOAP profile through the security-server simulator', () => {
  it('calls the service and hands back its answer in the gateway\u2019s own envelope', async () => {
    const reply = await send({}, soapRequest());
    expect((reply.body as XmlElement).name).toBe('lookupResponse');
    expect(reply.raw!.toString()).not.toContain('x-road.eu');
  });

  it('the exchange id travels as the X-Road message id, the officer as userId', async () => {
    const seen: string[] = [];
    const spy = await tinyServer((_req, body, res) => {
      seen.push(body);
      const env = parseSoapEnvelope(body, LIMITS);
      res.setHeader('content-type', 'text/xml');
      res.end(
        soapEnvelope(
          '<r/>',
          copiedHeaders(env.header) +
            `<xrd:requestHash xmlns:xrd="http://x-road.eu/xsd/xroad.xsd">${requestHashOf(body)}</xrd:requestHash>`,
        ),
      );
    });
    try {
      await send({}, soapRequest(), spy.url, 'canbo07');
      const h = readXRoadHeader(parseSoapEnvelope(seen[0], LIMITS).header);
      expect(h).toMatchObject({ id: exchange().id, userId: 'canbo07', protocolVersion: '4.0' });
      expect(h.client.memberCode).toBe('000.00.00.H57');
      expect(h.service.serviceCode).toBe('lookup');
    } finally {
      await spy.close();
    }
  });

  it('a client the security server does not allow gets its AccessDenied fault, surfaced with its code', async () => {
    const err = await failure(send({ client: STRANGER }, soapRequest()));
    expect([err.code, err.data?.source, err.data?.xroadFault]).toEqual([
      'LT_XROAD_ACCESS_DENIED',
      'Server.ServerProxy',
      'Server.ServerProxy.AccessDenied',
    ]);
  });

  it('an unknown client id or service id is the security server\u2019s Unknown… fault', async () => {
    expect(await codeOf(send({ client: 'VN/GOV/000.00.00.X00/NOBODY' }, soapRequest()))).toBe(
      'LT_XROAD_UNKNOWN_MEMBER',
    );
    const err = await failure(send({}, soapRequest('nothing')));
    expect([err.code, err.data?.source]).toEqual(['LT_XROAD_UNKNOWN_MEMBER', 'Server.ServerProxy']);
  });

  it('a provider that does not answer in the security server\u2019s time is LT_XROAD_UNREACHABLE (retryable)', async () => {
    const err = await failure(send({}, soapRequest('slow')));
    expect([err.code, err.spec.retry]).toEqual(['LT_XROAD_UNREACHABLE', true]);
  });

  it('a security server that does not answer at all is LT_UPSTREAM_TIMEOUT', async () => {
    const hang = await tinyServer(() => undefined);
    const out = ndxpOutbound(base, {
      name: 'ndxp',
      url: hang.url,
      log: undefined as never,
    } as OutboundContext);
    const ex = exchange('0190b1c2-0000-7000-8000-000000000002', AbortSignal.timeout(100));
    try {
      expect(await codeOf(out.send(soapRequest(), ex, ex.signal))).toBe('LT_UPSTREAM_TIMEOUT');
    } finally {
      await out.close();
      await hang.close();
    }
  });

  it('an injected Server.ServerProxy fault is LT_XROAD_FAULT with its source; the provider\u2019s own fault stays LT_UPSTREAM_FAULT', async () => {
    ss.faults.set({ faultRate: 1, onlyFor: ['flaky'] });
    try {
      const err = await failure(send({}, soapRequest('flaky')));
      expect([err.code, err.data?.source]).toEqual(['LT_XROAD_FAULT', 'Server.ServerProxy']);
    } finally {
      ss.faults.set({});
    }
    expect(await codeOf(send({}, soapRequest('boom')))).toBe('LT_UPSTREAM_FAULT');
  });

  it('JSON is refused on the SOAP profile', async () => {
    expect(
      await codeOf(
        send({}, { contentType: 'application/json', headers: {}, body: {}, operation: 'lookup' }),
      ),
    ).toBe('LT_UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('endpoint options', () => {
  /** A fake security server answering `reply(request)` and keeping what it got. */
  async function fakeSs(reply: (body: string, req: IncomingMessage) => string) {
    const got: { body: string; method?: string; url?: string }[] = [];
    const srv = await tinyServer((req, body, res) => {
      got.push({ body, method: req.method, url: req.url });
      res.setHeader('content-type', req.url?.startsWith('/r1/') ? 'application/json' : 'text/xml');
      res.end(reply(body, req));
    });
    return { ...srv, got };
  }
  const echo = (body: string) => {
    const env = parseSoapEnvelope(body, LIMITS);
    return soapEnvelope(
      `<r>${'<a>'.repeat(10)}x${'</a>'.repeat(10)}${'<b/>'.repeat(40)}</r>`,
      copiedHeaders(env.header) +
        `<xrd:requestHash xmlns:xrd="http://x-road.eu/xsd/xroad.xsd">${requestHashOf(body)}</xrd:requestHash>`,
    );
  };

  it('serviceVersion is sent as id:serviceVersion', async () => {
    const ss2 = await fakeSs(echo);
    try {
      await send({ serviceVersion: 'v2' }, soapRequest(), ss2.url);
      expect(
        readXRoadHeader(parseSoapEnvelope(ss2.got[0].body, LIMITS).header).service.serviceVersion,
      ).toBe('v2');
    } finally {
      await ss2.close();
    }
  });

  it('restMethod GET sends no body; POST sends the message', async () => {
    const ss2 = await fakeSs(() => '{}');
    try {
      const msg: Message = {
        contentType: 'application/json',
        headers: {},
        body: { q: 1 },
        operation: 'people',
      };
      await send({ profile: 'rest', restMethod: 'GET' }, msg, ss2.url);
      await send({ profile: 'rest' }, msg, ss2.url);
      expect(ss2.got.map((g) => [g.method, g.body])).toEqual([
        ['GET', ''],
        ['POST', '{"q":1}'],
      ]);
    } finally {
      await ss2.close();
    }
  });

  it('idempotent is what the outbound tells the retry policy', async () => {
    const ctx = { name: 'ndxp', url: ss.url, log: undefined as never } as OutboundContext;
    const yes = ndxpOutbound({ ...base, idempotent: true }, ctx);
    const no = ndxpOutbound(base, ctx);
    expect([yes.idempotent!(soapRequest()), no.idempotent!(soapRequest())]).toEqual([true, false]);
    await Promise.all([yes.close(), no.close()]);
  });

  it('maxBytes, maxDepth and maxNodes bound the reply (LT_UPSTREAM_BAD_REPLY beyond)', async () => {
    const ss2 = await fakeSs(echo);
    try {
      expect(await codeOf(send({}, soapRequest(), ss2.url))).toBe('resolved');
      expect(await codeOf(send({ maxBytes: 1024 }, soapRequest(), ss2.url))).toBe(
        'LT_UPSTREAM_BAD_REPLY',
      );
      expect(await codeOf(send({ maxDepth: 8 }, soapRequest(), ss2.url))).toBe(
        'LT_UPSTREAM_BAD_REPLY',
      );
      expect(await codeOf(send({ maxNodes: 30 }, soapRequest(), ss2.url))).toBe(
        'LT_UPSTREAM_BAD_REPLY',
      );
    } finally {
      await ss2.close();
    }
  });
});

describe('answers a consumer must refuse (a fake security server)', () => {
  async function answeredWith(
    make: (request: string, header: XmlElement) => string,
  ): Promise<GatewayError> {
    const fake = await tinyServer((_req, body, res) => {
      const env = parseSoapEnvelope(body, LIMITS);
      res.setHeader('content-type', 'text/xml');
      res.end(make(body, env.header!));
    });
    try {
      return await failure(send({}, soapRequest(), fake.url));
    } finally {
      await fake.close();
    }
  }
  const hash = (v: string) =>
    `<xrd:requestHash xmlns:xrd="http://x-road.eu/xsd/xroad.xsd" algorithmId="http://www.w3.org/2001/04/xmlenc#sha512">${v}</xrd:requestHash>`;

  it('a requestHash that is not the digest of the request sent', async () => {
    const err = await answeredWith((req, h) =>
      soapEnvelope('<r/>', copiedHeaders(h) + hash(requestHashOf(req + ' '))),
    );
    expect(err.code).toBe('LT_XROAD_REQUEST_HASH_MISMATCH');
  });

  it('no requestHash at all', async () => {
    expect((await answeredWith((_r, h) => soapEnvelope('<r/>', copiedHeaders(h)))).code).toBe(
      'LT_XROAD_REQUEST_HASH_MISMATCH',
    );
  });

  it('headers of another request (id) or none', async () => {
    const other = await answeredWith((req, h) =>
      soapEnvelope(
        '<r/>',
        copiedHeaders(h).replace(exchange().id, 'another-id') + hash(requestHashOf(req)),
      ),
    );
    expect([other.code, other.data?.header]).toEqual(['LT_XROAD_REPLY_MISMATCH', 'id']);
    expect((await answeredWith(() => soapEnvelope('<r/>'))).code).toBe('LT_XROAD_REPLY_MISMATCH');
  });

  it('the right hash passes', async () => {
    const fake = await tinyServer((_req, body, res) => {
      const env = parseSoapEnvelope(body, LIMITS);
      res.setHeader('content-type', 'text/xml');
      res.end(
        soapEnvelope(
          serializeElement(env.body),
          copiedHeaders(env.header) + hash(requestHashOf(body)),
        ),
      );
    });
    try {
      expect(((await send({}, soapRequest(), fake.url)).body as XmlElement).name).toBe('lookup');
    } finally {
      await fake.close();
    }
  });
});

describe('REST profile through the security-server simulator', () => {
  const rest = {
    profile: 'rest' as const,
    service: 'VN/GOV/000.00.00.G12/API',
    restPath: '/people',
  };
  const json = (body: unknown): Message => ({
    contentType: 'application/json',
    headers: {},
    body,
    operation: 'people',
  });

  it('calls /r1/{service id}/… with X-Road-Client, X-Road-Id and X-Road-UserId', async () => {
    const reply = await send(rest, json({ q: 1 }), ss.url, 'canbo07');
    expect(reply.body).toMatchObject({
      path: '/api/people',
      client: ME,
      id: exchange().id,
      user: 'canbo07',
      body: '{"q":1}',
    });
  });

  it('X-Road-Error becomes its code with the source', async () => {
    const err = await failure(send({ ...rest, restPath: '/fail' }, json({})));
    expect([err.code, err.data?.source]).toEqual(['LT_XROAD_FAULT', 'Server.ServerProxy']);
    expect(await codeOf(send({ ...rest, client: STRANGER }, json({})))).toBe(
      'LT_XROAD_ACCESS_DENIED',
    );
  });

  it('the security server refuses a REST call without X-Road-Client with its own error', async () => {
    const res = await fetch(`${ss.url}/r1/VN/GOV/000.00.00.G12/API/people`, {
      method: 'POST',
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-road-error')).toBe('Client.MissingHeaderField');
    expect(((await res.json()) as { type: string }).type).toBe('Client.MissingHeaderField');
  });
});

describe('discovery metaservices', () => {
  it('listClients names the members and subsystems here', async () => {
    const xml = await (await fetch(`${ss.url}/listClients`)).text();
    expect(xml).toContain('<id:memberCode>000.00.00.H57</id:memberCode>');
    const j = (await (
      await fetch(`${ss.url}/listClients`, { headers: { accept: 'application/json' } })
    ).json()) as { member: unknown[] };
    expect(j.member.length).toBe(4);
  });

  it('listMethods lists every service; allowedMethods only those the client may call', async () => {
    const url = `${ss.url}/r1/VN/GOV/000.00.00.G12/REG`;
    const list = async (m: string, client: string) =>
      (
        (await (await fetch(`${url}/${m}`, { headers: { 'x-road-client': client } })).json()) as {
          service: { service_code: string }[];
        }
      ).service.map((s) => s.service_code);
    expect(await list('listMethods', STRANGER)).toEqual(['lookup', 'slow', 'boom', 'flaky']);
    expect(await list('allowedMethods', STRANGER)).toEqual([]);
    expect(await list('allowedMethods', ME)).toHaveLength(4);
  });

  it('listMethods as a SOAP metaservice', async () => {
    const out = ndxpOutbound(base, {
      name: 'ndxp',
      url: ss.url,
      log: undefined as never,
    } as OutboundContext);
    const ex = exchange();
    try {
      const msg: Message = {
        ...soapRequest('listMethods'),
        raw: Buffer.from(
          soapEnvelope('<xrd:listMethods xmlns:xrd="http://x-road.eu/xsd/xroad.xsd"/>', ''),
        ),
      };
      const reply = await out.send(msg, ex, ex.signal);
      expect((reply.body as XmlElement).children).toHaveLength(4);
    } finally {
      await out.close();
    }
  });

  it('getWsdl fetches the provider\u2019s WSDL; an unknown service is the security server\u2019s fault', async () => {
    const q = 'xRoadInstance=VN&memberClass=GOV&memberCode=000.00.00.G12&subsystemCode=REG';
    const ok = await fetch(`${ss.url}/wsdl?${q}&serviceCode=lookup`);
    expect([ok.status, (await ok.text()).includes('definitions')]).toEqual([200, true]);
    const no = await fetch(`${ss.url}/wsdl?${q}&serviceCode=nope`);
    expect([no.status, (await no.text()).includes('Server.ServerProxy.UnknownService')]).toEqual([
      500,
      true,
    ]);
  });

  it('a message without X-Road headers gets the security server\u2019s Client fault', async () => {
    const res = await fetch(ss.url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: soapEnvelope('<x/>', ''),
    });
    expect(await res.text()).toContain('<faultcode>Client.MissingHeaderField</faultcode>');
  });
});
