import { describe, expect, it } from '@jest/globals';
import { applyDefaults } from '../../../src/pipeline/stages/defaults.js';
import type { PipelineDeps } from '../../../src/pipeline/deps.js';
import type { RouteDef } from '../../../src/config/schema.js';
import type { Exchange, Message } from '../../../src/message/index.js';

const route = { id: 'r', to: { endpoint: 'ep', operation: 'Op' } } as unknown as RouteDef;
const depsWith = (defaults?: Record<string, unknown>) =>
  ({
    endpoints: new Map([['ep', { outbound: { requestDefaults: () => defaults } }]]),
  }) as unknown as PipelineDeps;
const exchange = (request: Message) => ({ request, attrs: {} }) as unknown as Exchange;
const json = (body: unknown): Message => ({
  body,
  raw: Buffer.from(JSON.stringify(body)),
  contentType: 'application/json',
  headers: { 'x-request-id': 'q1' },
});

describe('apply-defaults', () => {
  it('is left out of routes whose endpoint declares no defaults', () => {
    expect(applyDefaults.create(route, depsWith(undefined))).toBeNull();
    expect(applyDefaults.create(route, depsWith({}))).toBeNull();
  });

  it('fills what the request leaves out into the outbound message; the caller’s request stays', () => {
    const stage = applyDefaults.create(route, depsWith({ serviceCode: 'G15-TP110' }))!;
    const ex = exchange(json({ officer: 'cb01' }));
    expect(stage(ex)).toEqual({ applied: ['serviceCode'] });
    expect(ex.outbound?.body).toEqual({ officer: 'cb01', serviceCode: 'G15-TP110' });
    // Its bytes were the caller's: the provider's are written from the filled body.
    expect(ex.outbound?.raw).toBeUndefined();
    expect(ex.outbound?.headers).toEqual({ 'x-request-id': 'q1' });
    expect(ex.outbound?.headers).not.toBe(ex.request.headers);
    expect(ex.request.body).toEqual({ officer: 'cb01' });
  });

  it('never overrides the caller, and leaves non-JSON requests alone', () => {
    const stage = applyDefaults.create(route, depsWith({ serviceCode: 'G15-TP110' }))!;
    const own = exchange(json({ serviceCode: 'MINE' }));
    expect(stage(own)).toBeUndefined();
    expect(own.outbound).toBeUndefined();
    const xml = exchange({
      body: null,
      raw: Buffer.from('<x/>'),
      contentType: 'text/xml',
      headers: {},
    });
    expect(stage(xml)).toBeUndefined();
    expect(stage(exchange(json([1, 2])))).toBeUndefined();
  });
});
