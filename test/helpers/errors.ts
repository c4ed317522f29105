import { GatewayError } from '../../src/message/errors.js';

/** The GatewayError a call throws; fails the test when it returns or throws anything else. */
export function gatewayError(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw new Error(`expected a GatewayError, got ${String(err)}`);
  }
  throw new Error('expected a GatewayError, nothing was thrown');
}
