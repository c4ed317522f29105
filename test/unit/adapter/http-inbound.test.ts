import { describe, expect, it } from '@jest/globals';
import { checkSchema } from '../../../src/config/validate.js';
import { RouteSchema, type RouteDef } from '../../../src/config/schema.js';
import {
  acceptedByHttp,
  HttpInboundSchema,
  type HttpInbound,
} from '../../../adapters/http/inbound.js';

function route(require: boolean): RouteDef {
  const r = checkSchema(RouteSchema, {
    id: 'r',
    from: { adapter: 'http' },
    to: { endpoint: 'e' },
    service: 's',
    signature: { require },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

function binding(extra: Record<string, unknown> = {}): HttpInbound {
  const r = checkSchema(HttpInboundSchema, { adapter: 'http', path: '/x', ...extra });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

describe('media types an HTTP route accepts', () => {
  it('JSON by default; a JWS compact body only where signatures are required', () => {
    expect(acceptedByHttp(binding(), route(false))).toEqual(['application/json', '+json']);
    expect(acceptedByHttp(binding(), route(true))).toEqual([
      'application/json',
      '+json',
      'application/jose',
    ]);
  });

  it('the binding’s own list when it has one', () => {
    expect(acceptedByHttp(binding({ accept: ['text/csv'] }), route(true))).toEqual(['text/csv']);
  });

  it.each([[[]], [['json']], [['Application/JSON']], [['application/json; charset=utf-8']]])(
    'refuses accept: %j in the config',
    (accept) => {
      expect(checkSchema(HttpInboundSchema, { adapter: 'http', path: '/x', accept }).ok).toBe(
        false,
      );
    },
  );
});
