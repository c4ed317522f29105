import type { XmlElement } from '../xml/tree.js';

/**
 * Field projection (R11): a reply keeps only the fields its grant allows.
 * A grant's field is a path of names joined by dots (`citizen.fullName`); a
 * path allows its whole subtree, and the names above it stay as containers
 * holding only what is allowed. Arrays (JSON) and repeated elements (XML) are
 * crossed without a name of their own: `CongDan.SoDinhDanh` is every
 * citizen's id. On XML the path starts below the reply's operation element
 * (the SOAP Body's child) and names elements by local name.
 */
export type FieldTree = ReadonlyMap<string, FieldTree | true>;

const compiled = new WeakMap<readonly string[], FieldTree>();

/** The grant's paths as a tree, compiled once per grant's field list. */
export function fieldTree(fields: readonly string[]): FieldTree {
  let tree = compiled.get(fields);
  if (tree) return tree;
  const root = new Map<string, Map<string, unknown> | true>();
  for (const path of fields) {
    const names = path.split('.').filter((n) => n !== '');
    let node = root as Map<string, Map<string, unknown> | true>;
    for (let i = 0; i < names.length; i++) {
      const cur = node.get(names[i]);
      if (cur === true) break; // a shorter path already allows the whole subtree
      if (i === names.length - 1) {
        node.set(names[i], true);
        break;
      }
      const next = cur ?? new Map<string, Map<string, unknown> | true>();
      node.set(names[i], next);
      node = next as Map<string, Map<string, unknown> | true>;
    }
  }
  tree = root as unknown as FieldTree;
  compiled.set(fields, tree);
  return tree;
}

/** A copy of a JSON value holding only the allowed fields; scalars where a container was expected go. */
export function projectJson(value: unknown, tree: FieldTree): unknown {
  if (Array.isArray(value)) return value.map((v) => projectJson(v, tree));
  if (value === null || typeof value !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, sub] of tree) {
    if (!Object.prototype.hasOwnProperty.call(value, name)) continue;
    const v = (value as Record<string, unknown>)[name];
    const kept = sub === true ? v : projectJson(v, sub);
    // defineProperty: a key named __proto__ stays a key, never the copy's prototype.
    if (kept !== undefined)
      Object.defineProperty(out, name, {
        value: kept,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}

/** A copy of an element whose descendants are only the allowed ones (its text and attributes kept). */
export function projectXml(el: XmlElement, tree: FieldTree): XmlElement {
  const children: XmlElement[] = [];
  for (const k of el.children) {
    const sub = tree.get(k.name);
    if (sub === true) children.push(k);
    else if (sub) children.push(projectXml(k, sub));
  }
  return { ...el, children };
}
