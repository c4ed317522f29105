import { GatewayError } from '../message/errors.js';
import {
  formatServiceId,
  parseClientId,
  parseServiceId,
  type XRoadClientId,
  type XRoadServiceId,
} from './ids.js';

/**
 * The X-Road REST profile (DOMAIN.md §1): `{METHOD} /r1/{service id}[/path]`
 * on the consumer's security server with `X-Road-Client` (mandatory),
 * `X-Road-Id`, `X-Road-UserId`, `X-Road-Issue`; the provider's answer
 * carries `X-Road-Client`, `X-Road-Service`, `X-Road-Id`,
 * `X-Road-Request-Id`, `X-Road-Request-Hash`, and on failure `X-Road-Error`.
 */
export const REST_PREFIX = '/r1/';
/** A path segment of RFC 3986 (pchar), percent-escapes kept. */
const REST_SEGMENT = /^[A-Za-z0-9._~!$&'()*+,;=:@%-]*$/;
export const H = {
  client: 'x-road-client',
  service: 'x-road-service',
  id: 'x-road-id',
  userId: 'x-road-userid',
  issue: 'x-road-issue',
  requestId: 'x-road-request-id',
  requestHash: 'x-road-request-hash',
  error: 'x-road-error',
} as const;

/** `/r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICECODE[/VERSION]` + the service's own path. */
export function restPath(service: XRoadServiceId, rest = ''): string {
  const id = formatServiceId(service).split('/').map(encodeURIComponent).join('/');
  return `${REST_PREFIX}${id}${rest}`;
}

/** The X-Road-Client header of a REST request: mandatory; LT_XROAD_HEADER_MISSING / _INVALID. */
export function restClientOf(headers: Record<string, string | undefined>): XRoadClientId {
  const v = headers[H.client];
  if (v === undefined || v.trim() === '')
    throw new GatewayError(
      'LT_XROAD_HEADER_MISSING',
      'the X-Road header X-Road-Client is missing',
      { header: 'X-Road-Client' },
    );
  return parseClientId(v.trim());
}

/**
 * A `/r1/…` path split into the service id and the service's own path.
 * The service code is the fifth part; a sixth is its version only when the
 * provider publishes versions (`versioned`), else the start of the path.
 */
export function parseRestPath(
  path: string,
  versioned = false,
): { service: XRoadServiceId; rest: string } {
  const q = path.indexOf('?');
  const p = q < 0 ? path : path.slice(0, q);
  if (!p.startsWith(REST_PREFIX))
    throw new GatewayError('LT_XROAD_HEADER_INVALID', 'an X-Road REST path starts with /r1/', {
      header: 'path',
    });
  const raw = p.slice(REST_PREFIX.length).split('/');
  const n = versioned ? 6 : 5;
  if (raw.length < 5)
    throw new GatewayError(
      'LT_XROAD_HEADER_INVALID',
      'the REST path names no service (/r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICECODE)',
      { header: 'path' },
    );
  let ids: string[];
  try {
    ids = raw.slice(0, Math.min(n, raw.length)).map(decodeURIComponent);
  } catch {
    throw new GatewayError(
      'LT_XROAD_HEADER_INVALID',
      'the REST path is not percent-encoded correctly',
      {
        header: 'path',
      },
    );
  }
  const service = parseServiceId(ids.join('/'));
  // The service's own path travels as received (still encoded), never with dot segments.
  const tail = raw.slice(n);
  if (
    tail.some(
      (seg) => !REST_SEGMENT.test(seg) || seg === '.' || seg === '..' || /%2e%2e|%2f/i.test(seg),
    )
  )
    throw new GatewayError(
      'LT_XROAD_HEADER_INVALID',
      'the service path has characters or segments it may not',
      {
        header: 'path',
      },
    );
  const rest = tail.length ? `/${tail.join('/')}` : '';
  return { service, rest: rest + (q < 0 ? '' : path.slice(q)) };
}
