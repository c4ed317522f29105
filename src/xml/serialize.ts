import { XML_NS, type XmlElement } from './tree.js';
import { escapeAttr, escapeXml } from './write.js';

/**
 * Writes a parsed element back as XML, with the namespace declarations it
 * needs declared on itself: it stands alone, whatever the document around it
 * declared (a SOAP Body element whose prefix was bound on the Envelope keeps
 * its namespace when it is put into another envelope). Elements keep the
 * prefix the sender wrote; prefixed attributes get a prefix already bound to
 * their namespace, or a fresh `nsN`. What the tree does not keep (comments,
 * processing instructions, whitespace between child elements) is not written:
 * the result is the element's information, which is what was validated.
 */
export function serializeElement(el: XmlElement): string {
  const scope = new Scope();
  const out: string[] = [];
  write(el, scope, out);
  return out.join('');
}

/** Prefix → namespace bindings in force, as a stack that each element's declarations extend. */
class Scope {
  readonly prefixes: string[] = ['xml', ''];
  readonly uris: string[] = [XML_NS, ''];

  uriOf(prefix: string): string | undefined {
    for (let k = this.prefixes.length - 1; k >= 0; k--)
      if (this.prefixes[k] === prefix) return this.uris[k];
    return undefined;
  }

  /** A non-empty prefix bound to `uri` and not shadowed since. */
  prefixFor(uri: string): string | undefined {
    for (let k = this.prefixes.length - 1; k >= 0; k--) {
      const p = this.prefixes[k];
      if (p !== '' && this.uris[k] === uri && this.uriOf(p) === uri) return p;
    }
    return undefined;
  }

  bind(prefix: string, uri: string): void {
    this.prefixes.push(prefix);
    this.uris.push(uri);
  }

  mark(): number {
    return this.prefixes.length;
  }

  reset(mark: number): void {
    this.prefixes.length = mark;
    this.uris.length = mark;
  }
}

function write(el: XmlElement, scope: Scope, out: string[]): void {
  const mark = scope.mark();
  const decls: string[] = [];
  let prefix = el.ns === XML_NS ? 'xml' : el.prefix;
  if (prefix === 'xml' && el.ns !== XML_NS) prefix = '';
  if (scope.uriOf(prefix) !== el.ns) {
    scope.bind(prefix, el.ns);
    decls.push(
      prefix === '' ? ` xmlns="${escapeAttr(el.ns)}"` : ` xmlns:${prefix}="${escapeAttr(el.ns)}"`,
    );
  }
  const qname = prefix === '' ? el.name : `${prefix}:${el.name}`;
  const attrs: string[] = [];
  for (const key of Object.keys(el.attrs)) {
    const value = escapeAttr(el.attrs[key]);
    if (!key.startsWith('{')) {
      attrs.push(` ${key}="${value}"`);
      continue;
    }
    const close = key.indexOf('}');
    const uri = key.slice(1, close);
    const local = key.slice(close + 1);
    let p = uri === XML_NS ? 'xml' : scope.prefixFor(uri);
    if (p === undefined) {
      let n = 0;
      while (scope.uriOf(`ns${n}`) !== undefined) n++;
      p = `ns${n}`;
      scope.bind(p, uri);
      decls.push(` xmlns:${p}="${escapeAttr(uri)}"`);
    }
    attrs.push(` ${p}:${local}="${value}"`);
  }
  out.push(`<${qname}${decls.join('')}${attrs.join('')}`);
  if (el.children.length === 0 && el.text === '') {
    out.push('/>');
  } else {
    out.push('>');
    if (el.text !== '') out.push(escapeXml(el.text));
    for (const c of el.children) write(c, scope, out);
    out.push(`</${qname}>`);
  }
  scope.reset(mark);
}
