import { Type } from '@sinclair/typebox';

/** The keep-alive pool of an outbound endpoint: one option, the same for every adapter. */
export const CONNECTIONS_OPTION = Type.Integer({
  minimum: 1,
  default: 64,
  description: 'Keep-alive connections to the provider, per gateway instance',
});
