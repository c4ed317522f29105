import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { compileXsd } from '../xml/index.js';
import type { XmlValidator } from './contracts.js';

/** The XSD that validates a whole SOAP envelope of a system: `contracts/<system>/envelope.xsd`. */
export const ENVELOPE_XSD = 'envelope.xsd';

/**
 * XML contracts: a system that ships `envelope.xsd` gets its SOAP messages
 * validated in one call (libxml2 in WebAssembly; the schema set is compiled
 * once here, at start-up).
 */
export function xmlContractLoader(opts: {
  /** Validate on the XSD worker thread (src/xml/xsd-offload.ts); `lienthong check` does not. */
  xsdWorker?: boolean;
}): (systemDir: string) => XmlValidator | undefined {
  return (systemDir) => {
    const file = join(systemDir, ENVELOPE_XSD);
    if (!existsSync(file)) return undefined;
    const compiled = compileXsd(file, { offload: opts.xsdWorker });
    return {
      check: (xml, code) => compiled.validateAsync(xml, code),
      dispose: () => compiled.dispose(),
    };
  };
}
