import { ERRORS, toGatewayError, type ErrorCode, type GatewayError } from './errors.js';

/**
 * What became of a dispatched message, in the form a queue consumer or a
 * mailbox poller acts on: `done` (ack), `reject` (refused for good:
 * dead-letter it with the code), `retry` (failed, worth another delivery
 * later: nack / leave it in the mailbox). Derived from the error table's
 * `retry` column, so no adapter keeps its own list of codes.
 */
export type Disposition =
  | { readonly kind: 'done' }
  | { readonly kind: 'reject'; readonly code: ErrorCode }
  | { readonly kind: 'retry'; readonly code: ErrorCode };

/** The disposition of a failure; anything that is not a GatewayError is LT_INTERNAL. */
export function dispositionOf(err: unknown): Disposition & { kind: 'reject' | 'retry' } {
  const ge: GatewayError = toGatewayError(err);
  return ERRORS[ge.code].retry
    ? { kind: 'retry', code: ge.code }
    : { kind: 'reject', code: ge.code };
}
