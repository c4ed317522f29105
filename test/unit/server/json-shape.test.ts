import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { checkKeys, MAX_JSON_DEPTH, scanJson } from '../../../src/server/json-shape.js';
import { gatewayError } from '../../helpers/errors.js';

/** scanJson then JSON.parse then checkKeys, as the JSON body parser does. */
function check(text: string, maxNodes = 10_000): unknown {
  const keys = scanJson(text, maxNodes);
  const value: unknown = JSON.parse(text);
  checkKeys(value, keys);
  return value;
}

describe('JSON body shape: repeated keys, depth and size', () => {
  it('accepts any JSON.stringify output (no repeated keys), whatever its strings hold', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        const text = JSON.stringify(v);
        expect(check(text, 1_000_000)).toEqual(JSON.parse(text));
      }),
    );
  });

  it.each([
    '{"a":1,"a":2}',
    '{"a":1, "a" :2}',
    '{"a":1,"\\u0061":2}',
    '[{"x":{"a":"\\"","a":2}}]',
    '{"__proto__":1,"__proto__":2}',
  ])('refuses %s with LT_JSON_DUPLICATE_KEY', (text) => {
    expect(gatewayError(() => check(text)).code).toBe('LT_JSON_DUPLICATE_KEY');
  });

  it('a key repeated anywhere in a random document is found', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1 }),
        (o) => {
          const [k, v] = Object.entries(o)[0];
          const text = `{${JSON.stringify(k)}:${JSON.stringify(v)},${JSON.stringify(o).slice(1)}`;
          expect(gatewayError(() => check(text)).code).toBe('LT_JSON_DUPLICATE_KEY');
        },
      ),
    );
  });

  it('refuses nesting beyond MAX_JSON_DEPTH before parsing (LT_JSON_TOO_DEEP)', () => {
    const at = (d: number) => '['.repeat(d) + ']'.repeat(d);
    expect(check(at(MAX_JSON_DEPTH))).toBeDefined();
    expect(gatewayError(() => check(at(MAX_JSON_DEPTH + 1))).code).toBe('LT_JSON_TOO_DEEP');
    // Brackets inside strings are text, not nesting.
    expect(check(JSON.stringify(['['.repeat(1000)]))).toBeDefined();
    expect(gatewayError(() => scanJson('{"a":'.repeat(500_000), 10_000)).code).toBe(
      'LT_JSON_TOO_DEEP',
    );
  });

  it('refuses more keys and values than maxNodes before parsing (LT_JSON_TOO_MANY_NODES)', () => {
    const arr = (n: number) => `[${Array(n).fill('1').join(',')}]`;
    expect(check(arr(10), 10)).toHaveLength(10);
    expect(gatewayError(() => check(arr(11), 10)).code).toBe('LT_JSON_TOO_MANY_NODES');
    expect(gatewayError(() => check('{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6}', 10)).code).toBe(
      'LT_JSON_TOO_MANY_NODES',
    );
  });

  it('leaves malformed text to JSON.parse (an unterminated string stops the scan)', () => {
    expect(() => scanJson('{"a":"', 10)).not.toThrow();
    expect(() => scanJson('"\\', 10)).not.toThrow();
  });
});
