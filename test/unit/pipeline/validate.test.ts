import { describe, expect, it } from '@jest/globals';
import { checkSchema } from '../../../src/config/validate.js';
import { RouteSchema, type RouteDef } from '../../../src/config/schema.js';
import { GatewayError } from '../../../src/message/errors.js';
import type { Exchange } from '../../../src/message/index.js';
import type { PipelineDeps } from '../../../src/pipeline/deps.js';
import { validateResponse } from '../../../src/pipeline/stages/validate.js';

// The provider's reply must meet the contract (issue 5): with strictResponse
// false a violation is logged and counted instead, but an unreadable reply
// is never passed on.
function route(strictResponse: boolean): RouteDef {
  const r = checkSchema(RouteSchema, {
    id: 'r',
    from: { adapter: 'http' },
    to: { endpoint: 'e' },
    service: 's',
    contract: 'sys/Op',
    strictResponse,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

function stageFailingWith(err: GatewayError, strictResponse: boolean) {
  const warned: unknown[] = [];
  const counted: string[] = [];
  const deps = {
    contracts: {
      get: () => ({
        hasResponse: true,
        validateResponse: () => Promise.reject(err),
      }),
    },
    log: { warn: (o: unknown) => warned.push(o) },
    metrics: { contractViolation: (r: string) => counted.push(r) },
  } as unknown as PipelineDeps;
  const stage = validateResponse.create(route(strictResponse), deps)!;
  const ex = { id: 'x', reply: { contentType: 'text/xml', headers: {} } } as unknown as Exchange;
  return { run: () => stage(ex), warned, counted };
}

describe('validate-response stage', () => {
  const violation = new GatewayError('LT_CONTRACT_RESPONSE', 'Ten: too long');
  const malformed = new GatewayError('LT_XML_MALFORMED', 'line 1, column 3: unterminated tag');
  const dtd = new GatewayError('LT_XML_DTD_FORBIDDEN', 'DTDs are not accepted');

  it('refuses a reply that breaks the contract (strictResponse: true)', async () => {
    const s = stageFailingWith(violation, true);
    await expect(s.run()).rejects.toMatchObject({ code: 'LT_CONTRACT_RESPONSE' });
    expect(s.counted).toEqual([]);
  });

  it('logs and counts a violation, and lets the reply through, with strictResponse: false', async () => {
    const s = stageFailingWith(violation, false);
    await expect(s.run()).resolves.toEqual({ contract: 'sys/Op', valid: false, strict: false });
    expect(s.counted).toEqual(['r']);
    expect(s.warned).toHaveLength(1);
  });

  it('never lets an unreadable reply through, even with strictResponse: false', async () => {
    for (const err of [malformed, dtd]) {
      const s = stageFailingWith(err, false);
      await expect(s.run()).rejects.toMatchObject({ code: 'LT_UPSTREAM_BAD_REPLY' });
      expect(s.counted).toEqual([]);
    }
  });

  it("blames the provider for an unreadable reply, naming it as the adapters do, not the caller's XML", async () => {
    for (const strict of [true, false]) {
      await expect(stageFailingWith(malformed, strict).run()).rejects.toMatchObject({
        code: 'LT_UPSTREAM_BAD_REPLY',
        detail: 'e: the reply could not be read (LT_XML_MALFORMED)',
        // What the parser said about the provider's bytes is logged, not shown.
        data: {
          endpoint: 'e',
          cause: 'LT_XML_MALFORMED',
          provider: 'line 1, column 3: unterminated tag',
        },
      });
    }
    // An adapter's own error (a lazily read body) already names it: not twice.
    const named = new GatewayError('LT_UPSTREAM_BAD_REPLY', 'e: cut off', { endpoint: 'e' });
    await expect(stageFailingWith(named, true).run()).rejects.toBe(named);
  });
});
