import { describe, expect, it } from '@jest/globals';
import type { Socket } from 'node:net';
import { answerClientError } from '../../../src/server/problem.js';

/** What answerClientError wrote on a socket, and whether it closed it. */
function answer(code: string | undefined, socket: Partial<Socket> = {}) {
  const written: string[] = [];
  let destroyed = false;
  const fake = {
    writable: true,
    destroyed: false,
    write: (s: string) => written.push(s) > 0,
    destroy: () => {
      destroyed = true;
    },
    ...socket,
  } as unknown as Socket;
  answerClientError(Object.assign(new Error('Parse Error: x'), { code }), fake);
  const text = written.join('');
  const body = text
    ? (JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { code: string })
    : undefined;
  return { status: text.slice(9, 12), code: body?.code, destroyed, text };
}

describe('answerClientError (requests refused by Node’s HTTP parser)', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', '431', 'LT_HEADERS_TOO_LARGE'],
    ['ERR_HTTP_REQUEST_TIMEOUT', '408', 'LT_REQUEST_TIMEOUT'],
    ['HPE_INVALID_METHOD', '400', 'LT_HTTP_MALFORMED'],
    [undefined, '400', 'LT_HTTP_MALFORMED'],
  ])('%s → HTTP %s, %s, connection closed', (errCode, status, code) => {
    const a = answer(errCode);
    expect([a.status, a.code, a.destroyed]).toEqual([status, code, true]);
    expect(a.text).toContain('Content-Type: application/problem+json');
    expect(a.text).toContain('Connection: close');
  });

  it('writes nothing to a reset or unwritable connection', () => {
    expect(answer('ECONNRESET').text).toBe('');
    const unwritable = answer('HPE_INVALID_METHOD', { writable: false });
    expect([unwritable.text, unwritable.destroyed]).toEqual(['', true]);
  });
});
