import { checkSchema } from '../../src/config/validate.js';
import { RouteSchema, type RouteDef } from '../../src/config/schema.js';

/** A route definition as the loader would make it (defaults applied), from the fields a test cares about. */
export function routeDef(fields: Record<string, unknown> = {}): RouteDef {
  const r = checkSchema(RouteSchema, {
    id: 'r',
    from: { adapter: 'http' },
    to: { endpoint: 'e' },
    service: 's',
    ...fields,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}
