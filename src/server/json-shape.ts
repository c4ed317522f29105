import { GatewayError } from '../message/errors.js';

/**
 * Deepest nesting of arrays and objects a JSON body may have. JSON.parse
 * itself copes, but at a cost an unauthenticated caller should not be able to
 * ask for: 1 MB of `[` nests 500,000 deep and took ~400 ms to parse here
 * (0.1 ms at 1,000). The canonical messages nest fewer than 10 deep.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Checks a JSON body's shape around JSON.parse, for what the parser itself
 * would let through. `scanJson` runs first, so a text over a bound is never
 * parsed: nesting beyond MAX_JSON_DEPTH → LT_JSON_TOO_DEEP; more than
 * `maxNodes` keys and values → LT_JSON_TOO_MANY_NODES (1 MB of JSON is up to
 * 500,000 values; 70,000 keys in one object took ~190 ms to parse here). It
 * returns the number of keys in the text, which `checkKeys` compares with the
 * parsed value's.
 *
 * Repeated keys: JSON.parse keeps the last of two equal keys; a provider's
 * parser may keep the first, so the gateway would validate one value and
 * forward another (RFC 8259 §4 leaves the outcome open; I-JSON, RFC 7493
 * §2.3, forbids it). JSON.parse merges repeated keys, so the counts differ
 * exactly when a key repeats — escapes included (`"a"` and `"\u0061"` are one
 * key to JSON.parse, two strings in the text) → LT_JSON_DUPLICATE_KEY.
 *
 * It runs on every JSON request, so it is one pass over the characters (no
 * allocation) and a walk of the parsed value; both iterative, both linear. Values are counted as keys, `[`, `{` and
 * commas outside strings: within one of the exact count, and free.
 */
export function scanJson(s: string, maxNodes: number): number {
  let depth = 0;
  let keys = 0;
  let nodes = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      // A string: to its closing quote, a backslash taking the next character with it.
      let k = i + 1;
      for (let d = s.charCodeAt(k); d !== 34; d = s.charCodeAt(++k)) {
        if (d === 92) k++;
        else if (k >= n) return keys; // unterminated: JSON.parse will say so
      }
      let d = s.charCodeAt(++k);
      while (d === 32 || d === 10 || d === 13 || d === 9) d = s.charCodeAt(++k);
      if (d === 58) keys++;
      i = k - 1;
    } else if (c === 44) {
      nodes++;
    } else if (c === 91 || c === 123) {
      nodes++;
      if (++depth > MAX_JSON_DEPTH)
        throw new GatewayError(
          'LT_JSON_TOO_DEEP',
          `arrays and objects nest deeper than ${MAX_JSON_DEPTH}`,
          { maxDepth: MAX_JSON_DEPTH },
        );
    } else if (c === 93 || c === 125) depth--;
  }
  if (nodes + keys > maxNodes)
    throw new GatewayError('LT_JSON_TOO_MANY_NODES', `more than ${maxNodes} keys and values`, {
      maxNodes,
    });
  return keys;
}

/** Refuses a parsed value with fewer keys than its text had (`keys`, from scanJson): a key repeated. */
export function checkKeys(value: unknown, keys: number): void {
  if (typeof value === 'object' && value !== null && keysInValue(value) !== keys)
    throw new GatewayError('LT_JSON_DUPLICATE_KEY', 'an object in the body repeats a key');
}

function keysInValue(root: object): number {
  let count = 0;
  const stack: object[] = [root];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const e: unknown = v[i];
        if (typeof e === 'object' && e !== null) stack.push(e);
      }
      continue;
    }
    // Own keys only: JSON.parse makes `__proto__` an own key like any other.
    for (const k in v) {
      if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
      count++;
      const e = (v as Record<string, unknown>)[k];
      if (typeof e === 'object' && e !== null) stack.push(e);
    }
  }
  return count;
}
