import { describe, expect, it } from '@jest/globals';
import { schemaKeys } from '../../../src/config/reference.js';
import { documentedSchemas } from '../../helpers/config-schemas.js';

// Issue 16: the schema is the documentation (docs/config-reference.md); a key without a description is undocumented.
describe('every config key has a description', () => {
  it.each(documentedSchemas().map((s) => [s.name, s.schema]))('%s', (_name, schema) => {
    const keys = schemaKeys(schema);
    expect(keys.length).toBeGreaterThan(0);
    const missing = keys
      .filter((k) => !String(k.schema.description ?? '').trim())
      .map((k) => k.path);
    expect(missing).toEqual([]);
  });
});
