import { GatewayError } from '../../../src/message/errors.js';

/** The GatewayError a function throws; fails the test when it throws nothing or something else. */
export function thrown(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw new Error(`expected a GatewayError, got ${String(err)}`);
  }
  throw new Error('expected a GatewayError, nothing was thrown');
}
