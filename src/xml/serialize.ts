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
  return write(el, new Scope());
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

function write(el: XmlElement, scope: Scope): string {
  const mark = scope.mark();
  // As the sender wrote it (the parser bound it to el.ns; `xml` only ever to its own namespace).
  const prefix = el.prefix;
  const qname = prefix === '' ? el.name : `${prefix}:${el.name}`;
  let tag = `<${qname}`;
  if (scope.uriOf(prefix) !== el.ns) {
    scope.bind(prefix, el.ns);
    tag += `${prefix === '' ? ' xmlns' : ` xmlns:${prefix}`}="${escapeAttr(el.ns)}"`;
  }
  let attrs = '';
  for (const key in el.attrs) {
    const value = escapeAttr(el.attrs[key]);
    if (key.charCodeAt(0) !== 123 /* { */) {
      attrs += ` ${key}="${value}"`;
      continue;
    }
    const close = key.indexOf('}');
    const uri = key.slice(1, close);
    let p = scope.prefixFor(uri); // xml: is bound from the start
    if (p === undefined) {
      let n = 0;
      while (scope.uriOf(`ns${n}`) !== undefined) n++;
      p = `ns${n}`;
      scope.bind(p, uri);
      tag += ` xmlns:${p}="${escapeAttr(uri)}"`;
    }
    attrs += ` ${p}:${key.slice(close + 1)}="${value}"`;
  }
  tag += attrs;
  const kids = el.children;
  if (kids.length === 0 && el.text === '') tag += '/>';
  else {
    tag += el.text === '' ? '>' : `>${escapeXml(el.text)}`;
    for (let i = 0; i < kids.length; i++) tag += write(kids[i], scope);
    tag += `</${qname}>`;
  }
  scope.reset(mark);
  return tag;
}
