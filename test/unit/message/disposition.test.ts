import { describe, expect, it } from '@jest/globals';
import { dispositionOf } from '../../../src/message/disposition.js';
import { ERRORS, GatewayError, type ErrorCode } from '../../../src/message/errors.js';
import {
  classifySendError,
  isProviderFailure,
  NETWORK_ERRNOS,
  isRetryable,
} from '../../../src/resilience/classify.js';
import { upstreamError } from '../../../src/adapter/upstream.js';

const codes = Object.keys(ERRORS) as ErrorCode[];

describe('the error table’s blame and retry columns', () => {
  it('give the SOAP faultcode: Client exactly when the caller is to blame', () => {
    for (const code of codes) {
      expect([code, ERRORS[code].soap]).toEqual([
        code,
        ERRORS[code].blame === 'caller' ? 'Client' : 'Server',
      ]);
    }
    expect(ERRORS.LT_CONTRACT_REQUEST.soap).toBe('Client');
    expect(ERRORS.LT_UPSTREAM_FAULT.soap).toBe('Server');
  });

  it('give the breaker’s counting: provider-blamed codes only', () => {
    const counted = codes.filter((c) => isProviderFailure(new GatewayError(c)));
    expect(counted).toEqual(codes.filter((c) => ERRORS[c].blame === 'provider'));
    expect(counted).toContain('LT_CONTRACT_RESPONSE');
    // The gateway's own refusals say nothing about the provider.
    expect(counted).not.toContain('LT_BREAKER_OPEN');
    expect(counted).not.toContain('LT_BULKHEAD_FULL');
  });

  it('give the immediate retry of an idempotent call: provider-blamed and retryable', () => {
    expect(codes.filter((c) => isRetryable(new GatewayError(c))).sort()).toEqual([
      // A broker that is down or refuses to store counts against its endpoint's breaker;
      // a publish is never idempotent (queueOutbound), so it is not retried at once.
      'LT_QUEUE_NACKED',
      'LT_QUEUE_UNAVAILABLE',
      'LT_UPSTREAM_ERROR',
      'LT_UPSTREAM_TIMEOUT',
      'LT_UPSTREAM_UNREACHABLE',
      // A security server that could not reach the provider (Server.…NetworkError), issue 17.
      'LT_XROAD_UNREACHABLE',
    ]);
  });

  it('give a queue’s disposition: retry later, or refused for good with the code', () => {
    for (const code of codes) {
      expect(dispositionOf(new GatewayError(code))).toEqual({
        kind: ERRORS[code].retry ? 'retry' : 'reject',
        code,
      });
    }
    expect(dispositionOf(new GatewayError('LT_CONTRACT_REQUEST')).kind).toBe('reject');
    expect(dispositionOf(new GatewayError('LT_UPSTREAM_TIMEOUT')).kind).toBe('retry');
    expect(dispositionOf(new GatewayError('LT_BREAKER_OPEN')).kind).toBe('retry');
    expect(dispositionOf(new GatewayError('LT_SHUTTING_DOWN')).kind).toBe('retry');
    // A bug is not retried forever: dead-lettered as LT_INTERNAL.
    expect(dispositionOf(new Error('boom'))).toEqual({ kind: 'reject', code: 'LT_INTERNAL' });
  });
});

describe('one mapping of socket errors', () => {
  it('the outbound HTTP path and the breaker’s safety net give every errno the same code', () => {
    for (const errno of NETWORK_ERRNOS) {
      for (const err of [
        Object.assign(new Error(errno), { code: errno }),
        new TypeError('fetch failed', { cause: { code: errno } }),
      ]) {
        const a = upstreamError(err, 'ep').code;
        const b = classifySendError(err).code;
        expect([errno, a]).toEqual([errno, b]);
        expect(['LT_UPSTREAM_UNREACHABLE', 'LT_UPSTREAM_TIMEOUT']).toContain(a);
      }
    }
    expect(NETWORK_ERRNOS).toContain('ECONNRESET');
    // ETIMEDOUT was unreachable for one and unknown for the other.
    expect(upstreamError(Object.assign(new Error(), { code: 'ETIMEDOUT' }), 'ep').code).toBe(
      'LT_UPSTREAM_UNREACHABLE',
    );
    expect(
      upstreamError(Object.assign(new Error(), { code: 'UND_ERR_BODY_TIMEOUT' }), 'ep').code,
    ).toBe('LT_UPSTREAM_TIMEOUT');
  });
});
