import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import { GatewayError, type ErrorCode } from '../../../src/message/errors.js';

/** A fresh temporary directory; the returned function removes it. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lt-security-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The code of the GatewayError thrown by fn; fails the test on success or a foreign error. */
export function codeOf(fn: () => unknown): ErrorCode {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return (err as GatewayError).code;
  }
  throw new Error('expected a GatewayError, but nothing was thrown');
}

export async function asyncCodeOf(fn: () => Promise<unknown>): Promise<ErrorCode> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return (err as GatewayError).code;
  }
  throw new Error('expected a GatewayError, but nothing was thrown');
}

export function b64json(o: unknown): string {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}
