import { builtinAdapters } from '../../adapters/index.js';
import { schemaKeys, type SchemaKey } from '../../src/config/reference.js';
import { ConfigSchema, RouteSchema } from '../../src/config/schema.js';

/** Every schema an operator writes keys of: the gateway's, the routes' and each adapter's parts. */
export function documentedSchemas(): { name: string; schema: any }[] {
  const out: { name: string; schema: any }[] = [
    { name: 'config', schema: ConfigSchema },
    { name: 'route', schema: RouteSchema },
  ];
  for (const a of builtinAdapters().list()) {
    if (a.endpointSchema) out.push({ name: `${a.name}.endpoint`, schema: a.endpointSchema });
    if (a.inboundSchema) out.push({ name: `${a.name}.from`, schema: a.inboundSchema });
    if (a.simulatorSchema) out.push({ name: `${a.name}.simulator`, schema: a.simulatorSchema });
  }
  return out;
}

/** Every documented leaf key, as `<schema>:<path>` (e.g. `config:store.poolSize`, `npd.endpoint:connections`). */
export function documentedLeafKeys(): string[] {
  return documentedSchemas().flatMap(({ name, schema }) =>
    schemaKeys(schema)
      .filter((k: SchemaKey) => k.leaf)
      .map((k) => `${name}:${k.path}`),
  );
}
