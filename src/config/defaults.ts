import { Value } from '@sinclair/typebox/value';
import type { Static, TObject } from '@sinclair/typebox';
import { BreakerSchema, ResilienceSchema, StoreSchema } from './schema.js';

/**
 * Defaults of config sections for code that is also used without a loaded
 * config (library use, tests): read from the schema, the only place a
 * default is written.
 */
function defaultsOf<T extends TObject>(schema: T): Readonly<Static<T>> {
  return Object.freeze(Value.Default(schema, {}) as Static<T>);
}

export const RESILIENCE_SCHEMA_DEFAULTS = defaultsOf(ResilienceSchema);
export const BREAKER_SCHEMA_DEFAULTS = defaultsOf(BreakerSchema);
export const STORE_DEFAULTS = defaultsOf(StoreSchema);
