import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import {
  AddressSchema,
  CitizenSchema,
  CodeNameSchema,
  HouseholdHeadSchema,
  NameSchema,
  OPERATION_TITLES,
  PersonSchema,
  replySchemaOf,
  requestSchemaOf,
  Units2025Schema,
} from './canonical.js';
import { NPD_OPERATIONS } from './constants.js';

/**
 * Writes the JSON Schemas of the NPD JSON facade (contracts/npd/*.json) from
 * the TypeBox definitions in canonical.ts, so the contract files and the
 * adapter's types cannot drift (test/unit/npd/contracts.test.ts compares them).
 * Run: `npx tsx adapters/npd/contracts-gen.ts`.
 */

export const CITIZEN_SCHEMA_ID = 'urn:lienthong:npd:citizen';
const DRAFT = 'http://json-schema.org/draft-07/schema#';

/** Sub-schemas written once under `definitions` of citizen.json, found by their title. */
const SHARED: Record<string, TSchema> = {
  CodeName: CodeNameSchema,
  Units2025: Units2025Schema,
  Address: AddressSchema,
  Person: PersonSchema,
  HouseholdHead: HouseholdHeadSchema,
  Name: NameSchema,
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Plain JSON copy of a TypeBox schema (symbols dropped) with titled sub-schemas replaced by refs. */
function render(schema: unknown, refs: Record<string, string>, top = true): Json {
  if (Array.isArray(schema)) return schema.map((s) => render(s, refs, false));
  if (schema === null || typeof schema !== 'object') return schema as Json;
  const obj = schema as Record<string, unknown>;
  const title = typeof obj.title === 'string' ? obj.title : undefined;
  if (!top && title && refs[title]) return { $ref: refs[title] };
  const out: { [k: string]: Json } = {};
  for (const key of Object.keys(obj)) out[key] = render(obj[key], refs, false);
  return out;
}

export function npdContractFiles(): Record<string, Json> {
  const local: Record<string, string> = {};
  for (const name of Object.keys(SHARED)) local[name] = `#/definitions/${name}`;
  const definitions: { [k: string]: Json } = {};
  for (const [name, schema] of Object.entries(SHARED)) definitions[name] = render(schema, local);

  const files: Record<string, Json> = {};
  files['citizen.json'] = {
    $schema: DRAFT,
    $id: CITIZEN_SCHEMA_ID,
    ...(render(CitizenSchema, local) as Record<string, Json>),
    definitions,
  };
  const toCitizen = { Citizen: CITIZEN_SCHEMA_ID };
  for (const op of NPD_OPERATIONS) {
    files[`${op}.request.json`] = {
      $schema: DRAFT,
      ...(render(requestSchemaOf(op), {}) as Record<string, Json>),
      title: `${op} request — ${OPERATION_TITLES[op]}`,
    };
    files[`${op}.response.json`] = {
      $schema: DRAFT,
      ...(render(replySchemaOf(op), toCitizen) as Record<string, Json>),
      title: `${op} reply — ${OPERATION_TITLES[op]}`,
    };
  }
  return files;
}

export function writeNpdContracts(dir: string): string[] {
  const files = npdContractFiles();
  for (const [name, json] of Object.entries(files)) {
    writeFileSync(`${dir}/${name}`, `${JSON.stringify(json, null, 2)}\n`);
  }
  return Object.keys(files);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = fileURLToPath(new URL('../../contracts/npd', import.meta.url));
  for (const f of writeNpdContracts(dir)) console.log(`wrote contracts/npd/${f}`);
}
