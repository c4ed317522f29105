import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Value } from '@sinclair/typebox/value';
import type { IncomingHttpHeaders } from 'node:http';
import pino from 'pino';
import { HttpEndpointSchema, httpOutbound } from '../../../adapters/http/outbound.js';
import { npdOutbound, NpdEndpointSchema } from '../../../adapters/npd/outbound.js';
import { SoapEndpointSchema, soapOutbound } from '../../../adapters/soap/outbound.js';
import type { Outbound } from '../../../src/adapter/spec.js';
import { traceFrom, type Message } from '../../../src/message/index.js';
import { SOAP11_NS } from '../../../src/xml/index.js';
import { exchange, jsonRequest, tinyServer } from '../npd/helpers.js';

const CALLER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('traceFrom (W3C Trace Context traceparent)', () => {
  it('keeps the caller’s trace id and sampled flag, with a new span of its own', () => {
    const t = traceFrom(CALLER);
    expect(t.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(t.parentId).toBe('b7ad6b7169203331');
    expect(t.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(t.spanId).not.toBe(t.parentId);
    expect(t.traceparent).toBe(`00-${t.traceId}-${t.spanId}-01`);
  });

  it('accepts a future version with more fields, reading the four it knows', () => {
    expect(traceFrom(`cc-${CALLER.slice(3)}-what-comes-next`).traceId).toBe(
      '0af7651916cd43dd8448eb211c80319c',
    );
  });

  it.each([
    ['absent', undefined],
    ['garbage', 'not a traceparent'],
    ['upper-case hex', CALLER.toUpperCase()],
    ['version ff', `ff-${CALLER.slice(3)}`],
    ['version 00 with a trailing field', `${CALLER}-x`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-b7ad6b7169203331-01`],
    ['an all-zero parent id', `00-0af7651916cd43dd8448eb211c80319c-${'0'.repeat(16)}-01`],
  ])('starts a new trace when the header is %s', (_what, header) => {
    const t = traceFrom(header);
    expect(t.parentId).toBeUndefined();
    expect(t.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(t.traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
    expect(t.traceparent).toBe(`00-${t.traceId}-${t.spanId}-00`);
  });
});

describe('outbound adapters send the exchange’s traceparent', () => {
  let provider: Awaited<ReturnType<typeof tinyServer>>;
  const seen: IncomingHttpHeaders[] = [];
  beforeAll(async () => {
    provider = await tinyServer((req, _body, res) => {
      seen.push(req.headers);
      res.statusCode = 500;
      res.end('');
    });
  });
  afterAll(() => provider.close());

  const ctx = () => ({ name: 'p', url: `${provider.url}/svc`, log: pino({ level: 'silent' }) });
  const soapRequest: Message = {
    contentType: 'text/xml; charset=utf-8',
    headers: {},
    body: null,
    raw: Buffer.from(
      `<s:Envelope xmlns:s="${SOAP11_NS}"><s:Body><m:Op xmlns:m="urn:m"/></s:Body></s:Envelope>`,
    ),
    operation: 'Op',
  };
  const cases: [string, () => Outbound, Message][] = [
    [
      'http',
      () => httpOutbound(Value.Default(HttpEndpointSchema, {}) as never, ctx()),
      { body: { a: 1 }, contentType: 'application/json', headers: {} },
    ],
    [
      'soap',
      () => soapOutbound(Value.Default(SoapEndpointSchema, {}) as never, ctx()),
      soapRequest,
    ],
    [
      'npd',
      () => npdOutbound(Value.Default(NpdEndpointSchema, {}) as never, ctx()),
      jsonRequest('TraCuuThongTinCongDan', {
        serviceCode: 'G15-TP110',
        officer: 'canbo01',
        idNumber: '001099012345',
      }),
    ],
  ];
  it.each(cases)('%s', async (_name, make, msg) => {
    const out = make();
    const ex = Object.assign(exchange(), { trace: traceFrom(CALLER) });
    seen.length = 0;
    try {
      await out.send(msg, ex, ex.signal).catch(() => undefined);
    } finally {
      await out.close();
    }
    expect(seen).toHaveLength(1);
    expect(seen[0].traceparent).toBe(ex.trace.traceparent);
    expect(seen[0].traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
  });
});
