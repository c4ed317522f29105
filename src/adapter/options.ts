import { Type } from '@sinclair/typebox';

/** The keep-alive pool of an outbound endpoint: one option, the same for every adapter. */
export const CONNECTIONS_OPTION = Type.Integer({
  minimum: 1,
  default: 64,
  description: 'Keep-alive connections to the provider, per gateway instance',
});

/**
 * The limits of an XML provider's reply (size, nesting, elements plus
 * attributes): one definition for every SOAP-speaking endpoint, each beyond
 * its limit LT_UPSTREAM_BAD_REPLY.
 */
export const XML_REPLY_LIMIT_OPTIONS = {
  maxBytes: Type.Integer({
    minimum: 1024,
    default: 4194304,
    description: 'Size limit of a reply, in bytes (LT_UPSTREAM_BAD_REPLY)',
  }),
  maxDepth: Type.Integer({
    minimum: 4,
    default: 64,
    description: 'Element nesting limit of a reply (LT_UPSTREAM_BAD_REPLY)',
  }),
  maxNodes: Type.Integer({
    minimum: 16,
    default: 100000,
    description: 'Elements plus attributes a reply may hold (LT_UPSTREAM_BAD_REPLY beyond)',
  }),
};
