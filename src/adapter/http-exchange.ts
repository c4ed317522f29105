import type { Dispatcher } from 'undici';
import { decodeContentEncoding } from '../message/content-encoding.js';
import { GatewayError } from '../message/errors.js';
import { badReplyError, upstreamError } from './upstream.js';

/** A provider's complete HTTP answer, body buffered. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  /** Aborts the call; its reason becomes the rejection. */
  signal?: AbortSignal;
  /** Refuse replies larger than this with LT_UPSTREAM_BAD_REPLY. */
  maxBytes: number;
  /** Endpoint name for error messages. */
  endpoint: string;
}

/**
 * Content codings undone on a provider's reply: the gateway sends no
 * Accept-Encoding, so one layer (a provider compressing anyway) is all a
 * reply needs; a stack of them is refused like a request's.
 */
const REPLY_MAX_CODINGS = 1;

/** The largest reply any outbound adapter accepts unless its endpoint says otherwise. */
export const DEFAULT_MAX_REPLY_BYTES = 16 * 1024 * 1024;

/**
 * One request/response through an undici pool, the reply body collected into
 * one Buffer. Every outbound adapter that speaks HTTP calls providers through
 * this, so limits, cancellation and error codes are the same on every route.
 *
 * It uses undici's dispatch API rather than `request()`: a gateway reads every
 * reply whole, and `request()` wraps each body in a Node Readable stream only
 * to be drained again. On the 2-core bench machine a client and server in one
 * process used 65 µs of CPU per call with `request()` and 41 µs with this.
 */
export function httpExchange(pool: Dispatcher, call: HttpCall): Promise<HttpAnswer> {
  const { signal, maxBytes, endpoint } = call;
  return new Promise<HttpAnswer>((resolve, reject) => {
    if (signal?.aborted) {
      reject(upstreamError(signal.reason, endpoint, signal));
      return;
    }
    let controller: Dispatcher.DispatchController | undefined;
    let abortReason: Error | undefined;
    let settled = false;
    let status = 0;
    let headers: HttpAnswer['headers'] = {};
    const chunks: Buffer[] = [];
    let size = 0;

    const onAbort = () => {
      const r: unknown = signal!.reason;
      abortReason = r instanceof Error ? r : new DOMException('aborted', 'AbortError');
      // Not on a socket yet: onRequestStart aborts it as soon as it gets one.
      controller?.abort(abortReason);
    };
    const settle = (err: unknown, answer?: HttpAnswer) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (err !== undefined) reject(upstreamError(err, endpoint, signal));
      else resolve(answer!);
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (abortReason) c.abort(abortReason);
      },
      onResponseStart(_c, statusCode, h) {
        // 1xx informational answers come first; the last start is the real one.
        status = statusCode;
        headers = h;
      },
      onResponseData(c, chunk) {
        size += chunk.length;
        if (size > maxBytes) {
          c.abort(
            new GatewayError(
              'LT_UPSTREAM_BAD_REPLY',
              `${endpoint}: reply larger than ${maxBytes} bytes`,
              { endpoint, maxBytes },
            ),
          );
          return;
        }
        chunks.push(chunk);
      },
      onResponseEnd() {
        let body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
        const coding = headers['content-encoding'];
        if (coding !== undefined) {
          // The gateway asks for no coding, but a provider may compress anyway
          // (RFC 9110 §12.5.3 allows it); stages read the document, not its gzip.
          try {
            body = decodeContentEncoding(String(coding), body, maxBytes, REPLY_MAX_CODINGS);
          } catch (err) {
            settle(badReplyError(endpoint, err));
            return;
          }
        }
        settle(undefined, { status, headers, body });
      },
      onResponseError(_c, err) {
        settle(err);
      },
    };
    try {
      pool.dispatch(
        { method: call.method, path: call.path, headers: call.headers, body: call.body ?? null },
        handler,
      );
    } catch (err) {
      settle(err);
    }
  });
}

/** A header's single value (repeated headers joined, as HTTP allows). */
export function headerValue(h: HttpAnswer['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
