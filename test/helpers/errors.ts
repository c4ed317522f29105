import { expect } from '@jest/globals';
import { GatewayError, type ErrorCode } from '../../src/message/errors.js';

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

/** The code a promise rejects with, or 'resolved'. */
export async function codeOf(p: Promise<unknown>): Promise<ErrorCode | 'resolved'> {
  return p.then(
    () => 'resolved' as const,
    (err: unknown) => {
      expect(err).toBeInstanceOf(GatewayError);
      return (err as GatewayError).code;
    },
  );
}

/** The code and `data.reason` of the GatewayError a call throws (token refusals say which check refused). */
export function refusalOf(fn: () => unknown): [ErrorCode, unknown] {
  const err = gatewayError(fn);
  return [err.code, err.data?.reason];
}

/** The GatewayError a promise rejects with; fails the test when it resolves or rejects otherwise. */
export async function rejectionOf(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw new Error(`expected a GatewayError, got ${String(err)}`);
  }
  throw new Error('expected a GatewayError, nothing was thrown');
}
