import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { GatewayError } from '../message/errors.js';
import { escapeAttr } from './write.js';

/** Where the base URL goes in a prepared document. Never a `String.replace` pattern. */
const BASE = '\u0000BASE\u0000';

/**
 * A Host header that names a host: a DNS name or IPv4 address (RFC 3986
 * reg-name characters without the percent-escapes and sub-delimiters no real
 * host name uses), or a bracketed IPv6 literal, then an optional port. The
 * classes cannot overlap, so the match is linear; the length is checked first.
 */
const HOST = /^(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;
/** RFC 1035's longest name, plus a port. */
const MAX_HOST_LENGTH = 253 + 6;

/**
 * The origin (`http://host:port`) a caller reached the service at, from the
 * request's protocol and Host header: what a published WSDL points clients
 * to when no public URL is configured. Anything that is not a host name is
 * refused (LT_HTTP_MALFORMED), so a caller cannot make the WSDL point
 * elsewhere with markup, or make it large.
 */
export function requestOrigin(protocol: string, host: string | undefined): string {
  if (protocol !== 'http' && protocol !== 'https')
    throw new GatewayError('LT_HTTP_MALFORMED', 'the request protocol is neither http nor https');
  if (!host || host.length > MAX_HOST_LENGTH || !HOST.test(host))
    throw new GatewayError(
      'LT_HTTP_MALFORMED',
      'the Host header is not a host name (set server.publicUrl to publish a fixed address)',
      { hostLength: host?.length ?? 0 },
    );
  return `${protocol}://${host}`;
}

/** A document split around its base-URL slots: publishing it is one join, whatever the base. */
class Template {
  private readonly parts: string[];
  constructor(text: string) {
    this.parts = text.split(BASE);
  }
  /** The document for `base`, escaped for the attribute values it lands in. */
  render(base: string): string {
    return this.parts.join(escapeAttr(base));
  }
}

/** Every schemaLocation pointed at `<base><path>?xsd=<file>` (a function replacer: no `$` patterns). */
function pointSchemas(text: string, path: string): string {
  return text.replace(
    /schemaLocation="([^"]+)"/g,
    (_m, loc: string) => `schemaLocation="${BASE}${escapeAttr(`${path}?xsd=${basename(loc)}`)}"`,
  );
}

/**
 * A WSDL published at `<path>?wsdl` (R3): the file from contracts/ with its
 * service address rewritten to where the gateway is reached, and schema
 * imports pointed at `<path>?xsd=<file>` so generated clients can fetch them.
 * The documents are prepared once; per request the (escaped) base is joined
 * in, so nothing is cached per caller and the size of the answer is the
 * file's plus a few bounded bases. Shared by the SOAP inbound and the NPD
 * simulator.
 */
export class PublishedWsdl {
  private readonly wsdlTemplate: Template;
  private readonly xsds = new Map<string, Template>();

  constructor(wsdlFile: string, path: string) {
    let text: string;
    try {
      text = readFileSync(wsdlFile, 'utf8');
    } catch (err) {
      throw new GatewayError(
        'LT_CONFIG_INVALID',
        `cannot read WSDL ${wsdlFile}: ${(err as Error).message}`,
      );
    }
    const dir = dirname(wsdlFile);
    for (const f of readdirSync(dir))
      if (f.endsWith('.xsd'))
        this.xsds.set(f, new Template(pointSchemas(readFileSync(join(dir, f), 'utf8'), path)));
    const address = `${BASE}${escapeAttr(path)}`;
    this.wsdlTemplate = new Template(
      pointSchemas(text, path).replace(
        /(<(?:\w+:)?address\s+location=")[^"]*(")/g,
        (_m, open: string, close: string) => open + address + close,
      ),
    );
  }

  wsdl(base: string): string {
    return this.wsdlTemplate.render(base);
  }

  xsd(name: string, base: string): string | undefined {
    return this.xsds.get(name)?.render(base);
  }
}
