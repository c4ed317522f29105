import { describe, expect, it } from '@jest/globals';
import { checkSchema } from '../../../src/config/validate.js';
import {
  acceptedByHttp,
  HttpInboundSchema,
  type HttpInbound,
} from '../../../adapters/http/inbound.js';
import { routeDef } from '../../helpers/route.js';

const route = (require: boolean) => routeDef({ signature: { require } });

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
