import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema, Static } from '@sinclair/typebox';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives wrapped.
const addFormats =
  (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule;

/**
 * One ajv instance for configuration schemas: defaults are applied in place,
 * every error is collected (an operator fixes a file in one pass), no type
 * coercion (a port written "8080" in quotes is a mistake worth reporting).
 */
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);

const cache = new WeakMap<TSchema, ValidateFunction>();

export interface SchemaIssue {
  /** JSON-pointer-like path inside the validated value, as segments. */
  path: (string | number)[];
  message: string;
}

function compile(schema: TSchema): ValidateFunction {
  let fn = cache.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    cache.set(schema, fn);
  }
  return fn;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describe(e: ErrorObject): SchemaIssue {
  const path = pointerToPath(e.instancePath);
  switch (e.keyword) {
    case 'additionalProperties':
      return { path: [...path, e.params.additionalProperty], message: 'unknown property' };
    case 'required':
      return { path: [...path, e.params.missingProperty], message: 'is required' };
    case 'enum':
      return { path, message: `must be one of ${JSON.stringify(e.params.allowedValues)}` };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

/**
 * Validates (and fills defaults into) `value`. Union schemas report one error
 * per branch; we keep the most specific ones (deepest path) so "must match a
 * schema in anyOf" does not drown the useful line.
 */
export function checkSchema<T extends TSchema>(
  schema: T,
  value: unknown,
): { ok: true; value: Static<T> } | { ok: false; issues: SchemaIssue[] } {
  const fn = compile(schema);
  if (fn(value)) return { ok: true, value: value as Static<T> };
  const issues = (fn.errors ?? []).filter((e) => e.keyword !== 'anyOf').map(describe);
  const seen = new Set<string>();
  const unique = issues.filter((i) => {
    const k = JSON.stringify(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { ok: false, issues: unique.length ? unique : [{ path: [], message: 'invalid' }] };
}

export function formatPath(path: (string | number)[]): string {
  return path.length
    ? path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
        .join('')
        .replace(/^\./, '')
    : '(root)';
}
