import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import {
  parseEdxml,
  readSignedEdxml,
  readValidEdxml,
  type ParsedEdxml,
  type Signer,
} from './edxml/index.js';

/**
 * How the gateway reads an edXML file that arrives (from the axis, or from a
 * local system through the facade): the schema and rules always; the XML
 * signature too when configured, which must verify and chain to the trust
 * anchors. One verified-and-parsed tree is what is routed (edxml/signature.ts).
 */

export const SIGNATURE_OPTIONS = {
  verifySignature: Type.Boolean({
    default: false,
    description: 'Refuse files whose XML signature does not verify and chain to trustAnchors',
  }),
  trustAnchors: Type.Array(Type.String(), {
    default: [],
    description: 'PEM files of the CAs signers must chain to (with verifySignature)',
  }),
};

export type EdxmlReader = (file: Buffer) => { parsed: ParsedEdxml; signer?: Signer };

export function edxmlReader(opts: {
  verifySignature: boolean;
  trustAnchors: string[];
}): EdxmlReader {
  const anchors = opts.trustAnchors.map((f) => readFileSync(f, 'utf8'));
  return (file) => {
    if (!opts.verifySignature) return { parsed: readValidEdxml(file) };
    const { parsed, signer } = readSignedEdxml(file, { trustAnchors: anchors });
    readValidEdxml(file); // the schema and rules too, on the same bytes
    return { parsed, signer };
  };
}

/** The document as far as it parses (to tell its sender why it was refused), or undefined. */
export function readableOrNot(file: Buffer): ParsedEdxml | undefined {
  try {
    return parseEdxml(file);
  } catch {
    return undefined;
  }
}

/** Problems `lienthong check` reports for these options. */
export function signatureOptionProblems(opts: {
  verifySignature: boolean;
  trustAnchors: string[];
}): string[] {
  const problems: string[] = [];
  if (opts.verifySignature && opts.trustAnchors.length === 0)
    problems.push('verifySignature needs at least one trustAnchors file');
  for (const f of opts.trustAnchors) {
    try {
      readFileSync(f, 'utf8');
    } catch {
      problems.push(`trust anchor ${f} cannot be read`);
    }
  }
  return problems;
}
