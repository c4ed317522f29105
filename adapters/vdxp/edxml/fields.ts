import type { TObject, TSchema } from '@sinclair/typebox';
import { escapeAttr, leaf, type XmlElement } from '../../../src/xml/index.js';
import { EDXML_NS } from './model.js';

/**
 * Reads and writes an element group of the edXML model from its TypeBox
 * schema (model.ts), so the element names, the order the codec writes and the
 * shape of the JSON have one definition. Reading matches children on the
 * edXML namespace and the local name, in any order; writing uses the schema's
 * order (the order of QCVN 102:2016 and of the samples in DOMAIN.md §3).
 */

/** Something the parser tolerated and says so: never a refusal by itself. */
export interface EdxmlWarning {
  /** unknown-element, duplicate-element, impossible-date, signature-not-xmldsig, … */
  code: string;
  /** Element path, e.g. /edXML/edXMLEnvelope/edXMLHeader/MessageHeader/Subject. */
  path: string;
  message: string;
}

export interface ReadContext {
  warnings: EdxmlWarning[];
  /** The element's text as the document had it (see slices.ts for why this is not el.text). */
  text(el: XmlElement): string;
}

type Group = Record<string, unknown>;

function kindOf(s: TSchema): 'string' | 'object' | 'array' {
  return s.type as 'string' | 'object' | 'array';
}

function readValue(el: XmlElement, schema: TSchema, path: string, ctx: ReadContext): unknown {
  return kindOf(schema) === 'string' ? ctx.text(el) : readGroup(el, schema as TObject, path, ctx);
}

/** The group's fields from `el`; unknown children and repeated single fields are warnings. */
export function readGroup(el: XmlElement, schema: TObject, path: string, ctx: ReadContext): Group {
  const out: Group = {};
  const props = schema.properties as Record<string, TSchema>;
  for (const kid of el.children) {
    const here = `${path}/${kid.name}`;
    const prop = kid.ns === EDXML_NS ? props[kid.name] : undefined;
    if (!prop || prop.xmlAttribute || !Object.prototype.hasOwnProperty.call(props, kid.name)) {
      ctx.warnings.push({
        code: 'unknown-element',
        path: here,
        message: `{${kid.ns}}${kid.name} is not part of this group; ignored`,
      });
      continue;
    }
    const kind = kindOf(prop);
    if (kind !== 'array') {
      if (kid.name in out) {
        ctx.warnings.push({
          code: 'duplicate-element',
          path: here,
          message: `${kid.name} appears more than once; the first is read`,
        });
        continue;
      }
      out[kid.name] = readValue(kid, prop, here, ctx);
      continue;
    }
    const items = (out[kid.name] ??= []) as unknown[];
    const itemSchema = prop.items as TSchema;
    const itemName = prop.xmlItem as string | undefined;
    if (!itemName) {
      items.push(readValue(kid, itemSchema, here, ctx));
      continue;
    }
    for (const item of kid.children) {
      if (item.ns === EDXML_NS && item.name === itemName) {
        items.push(readValue(item, itemSchema, `${here}/${itemName}`, ctx));
      } else {
        ctx.warnings.push({
          code: 'unknown-element',
          path: `${here}/${item.name}`,
          message: `${kid.name} holds ${itemName} elements; {${item.ns}}${item.name} ignored`,
        });
      }
    }
  }
  for (const [name, prop] of Object.entries(props)) {
    if (prop.xmlAttribute && el.attrs[name] !== undefined) out[name] = el.attrs[name];
  }
  return out;
}

function writeValue(name: string, value: unknown, schema: TSchema, out: string[]): void {
  if (kindOf(schema) === 'string') out.push(leaf(name, value as string));
  else writeGroup(name, value as Group, schema as TObject, out);
}

/** Appends the group's child elements, in the schema's order. */
export function writeChildren(value: Group, schema: TObject, out: string[]): void {
  const props = schema.properties as Record<string, TSchema>;
  for (const [k, prop] of Object.entries(props)) {
    const v = value[k];
    if (v === undefined || v === null || prop.xmlAttribute) continue;
    if (kindOf(prop) !== 'array') {
      writeValue(k, v, prop, out);
      continue;
    }
    const itemName = prop.xmlItem as string | undefined;
    const itemSchema = prop.items as TSchema;
    const items = v as unknown[];
    if (itemName && items.length === 0) {
      out.push(`<${k}/>`);
      continue;
    }
    if (itemName) out.push(`<${k}>`);
    for (const item of items) writeValue(itemName ?? k, item, itemSchema, out);
    if (itemName) out.push(`</${k}>`);
  }
}

/** Appends `<name>…</name>` for the group (`<name/>` when it has nothing). */
export function writeGroup(name: string, value: Group, schema: TObject, out: string[]): void {
  let attrs = '';
  for (const [k, prop] of Object.entries(schema.properties as Record<string, TSchema>)) {
    if (prop.xmlAttribute && typeof value[k] === 'string')
      attrs += ` ${k}="${escapeAttr(value[k] as string)}"`;
  }
  const start = out.length;
  out.push(`<${name}${attrs}>`);
  writeChildren(value, schema, out);
  if (out.length === start + 1) out[start] = `<${name}${attrs}/>`;
  else out.push(`</${name}>`);
}
