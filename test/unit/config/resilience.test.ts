import { describe, expect, it } from '@jest/globals';
import { checkSchema } from '../../../src/config/validate.js';
import { EndpointSchema, RouteSchema } from '../../../src/config/schema.js';
import { RESILIENCE_SCHEMA_DEFAULTS } from '../../../src/config/defaults.js';
import { routeResilience } from '../../../src/config/resilience.js';
import { GatewayError } from '../../../src/message/errors.js';
import { createProtectedCall } from '../../../src/resilience/protected-call.js';
import { codeOf } from '../../helpers/errors.js';

const route = (extra: Record<string, unknown> = {}) => ({
  id: 'r',
  from: { adapter: 'http' },
  to: { endpoint: 'e' },
  service: 's',
  ...extra,
});

describe('one resilience schema: endpoint policy, route overrides, merged once', () => {
  it('an endpoint without resilience gets the schema defaults', () => {
    const res = checkSchema(EndpointSchema, { adapter: 'http' });
    expect(res.ok && res.value.resilience).toEqual(RESILIENCE_SCHEMA_DEFAULTS);
  });

  it('a route that sets nothing carries no defaults that could replace the endpoint’s', () => {
    const res = checkSchema(RouteSchema, route());
    expect(res.ok && res.value.resilience).toBeUndefined();
    const partial = checkSchema(RouteSchema, route({ resilience: { retries: 2 } }));
    expect(partial.ok && partial.value.resilience).toEqual({ retries: 2 });
  });

  it('merges route over endpoint, field by field', () => {
    const endpoint = { timeoutMs: 50, retries: 1, backoffMs: 10, maxBackoffMs: 20 };
    expect(routeResilience(endpoint, undefined)).toEqual(endpoint);
    expect(routeResilience(endpoint, { timeoutMs: 900, maxBackoffMs: 5 })).toEqual({
      timeoutMs: 900,
      retries: 1,
      backoffMs: 10,
      maxBackoffMs: 5,
    });
  });

  it('a route’s backoff reaches the call (route-level backoffMs is read)', async () => {
    let attempts = 0;
    const pc = createProtectedCall(
      'x',
      async () => {
        attempts++;
        throw new GatewayError('LT_UPSTREAM_UNREACHABLE');
      },
      { retries: 1, backoffMs: 60_000, maxBackoffMs: 60_000, random: () => 0.99 },
      { onStateChange: () => {} },
    );
    const t0 = Date.now();
    const code = await codeOf(
      pc.call('m', { idempotent: true, backoffMs: 5, maxBackoffMs: 5, deadline: t0 + 2000 }),
    );
    expect(code).toBe('LT_UPSTREAM_UNREACHABLE');
    expect(attempts).toBe(2);
    expect(Date.now() - t0).toBeLessThan(1000);
    pc.shutdown();
  });
});
