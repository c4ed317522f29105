import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { GatewayError } from '../message/errors.js';

/**
 * A WSDL published at `<path>?wsdl` (R3): the file from contracts/ with its
 * service address rewritten to where the gateway is reached, and schema
 * imports pointed at `<path>?xsd=<file>` so generated clients can fetch them.
 */
export class PublishedWsdl {
  private readonly template: string;
  private readonly xsds = new Map<string, string>();
  private readonly byBase = new Map<string, string>();

  constructor(
    wsdlFile: string,
    private readonly path: string,
  ) {
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
      if (f.endsWith('.xsd')) this.xsds.set(f, readFileSync(join(dir, f), 'utf8'));
    this.template = text.replace(
      /schemaLocation="([^"]+)"/g,
      (_m, loc: string) => `schemaLocation="{{BASE}}${path}?xsd=${basename(loc)}"`,
    );
  }

  wsdl(base: string): string {
    let out = this.byBase.get(base);
    if (!out) {
      out = this.template
        .replace(/(<(?:\w+:)?address\s+location=")[^"]*(")/g, `$1${base}${this.path}$2`)
        .replaceAll('{{BASE}}', base);
      if (this.byBase.size < 64) this.byBase.set(base, out);
    }
    return out;
  }

  xsd(name: string, base: string): string | undefined {
    const text = this.xsds.get(name);
    return text?.replace(
      /schemaLocation="([^"]+)"/g,
      (_m, loc: string) => `schemaLocation="${base}${this.path}?xsd=${basename(loc)}"`,
    );
  }
}
