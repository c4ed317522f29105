import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * Limits on an edXML document. One schema carries the defaults and the docs;
 * the VDXP adapter's configuration will embed it when the adapter lands (the
 * codec is a library and a CLI for now), and the CLI takes each as a flag.
 */
export const EdxmlLimitsSchema = Type.Object(
  {
    maxBytes: Type.Integer({
      minimum: 1,
      default: 64 * 1024 * 1024,
      description: 'Largest accepted edXML file, in bytes (LT_XML_TOO_LARGE beyond)',
    }),
    maxDepth: Type.Integer({
      minimum: 8,
      default: 64,
      description: 'Deepest element nesting (LT_XML_TOO_DEEP beyond)',
    }),
    maxNodes: Type.Integer({
      minimum: 16,
      default: 20_000,
      description:
        'Most elements plus attributes in the file (LT_XML_TOO_MANY_NODES beyond); a document with a thousand receivers has a few thousand',
    }),
    maxAttachmentBytes: Type.Integer({
      minimum: 0,
      default: 32 * 1024 * 1024,
      description: 'Largest decoded attachment, in bytes (LT_EDXML_ATTACHMENT_TOO_LARGE beyond)',
    }),
  },
  { additionalProperties: false },
);
export type EdxmlLimits = Static<typeof EdxmlLimitsSchema>;

/** The limits with the schema's defaults for what is not given. */
export function edxmlLimits(partial: Partial<EdxmlLimits> = {}): EdxmlLimits {
  return Value.Default(EdxmlLimitsSchema, { ...partial }) as EdxmlLimits;
}
