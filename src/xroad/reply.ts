import { GatewayError } from '../message/errors.js';
import { parseSoapEnvelope, type SoapEnvelope } from '../xml/soap.js';
import type { XmlLimits } from '../xml/parse.js';
import { xroadFaultError, xroadFaultSource } from './faults.js';
import { formatClientId, formatServiceId, sameClient, sameService } from './ids.js';
import { readXRoadHeader, requestHashOf, type XRoadHeader } from './soap-header.js';

/**
 * The consumer's check of a security server's SOAP answer, shared by the
 * NDXP outbound and the NPD reached through NDXP: an X-Road fault becomes
 * its code (source kept); an answer must carry the request's headers back
 * (same client, service and id) and a `requestHash` equal to the digest of
 * the bytes sent. A provider's own fault (not an X-Road code) is left to the
 * caller of this function, which maps it as it maps any provider fault.
 *
 * Returns the parsed envelope, or undefined when the bytes are not one (the
 * caller reports unreadable replies as it always does).
 */
export function checkXRoadSoapReply(
  endpoint: string,
  status: number,
  body: Buffer,
  sent: { header: XRoadHeader; bytes: Buffer },
  limits: XmlLimits,
): SoapEnvelope | undefined {
  let env: SoapEnvelope;
  try {
    env = parseSoapEnvelope(body, limits);
  } catch {
    return undefined;
  }
  if (env.fault) {
    if (xroadFaultSource(env.fault.faultcode))
      throw xroadFaultError(endpoint, env.fault.faultcode, env.fault.faultstring, status);
    return env;
  }
  if (status < 200 || status >= 300) return env;
  let got: XRoadHeader;
  try {
    got = readXRoadHeader(env.header);
  } catch (err) {
    throw new GatewayError(
      'LT_XROAD_REPLY_MISMATCH',
      `${endpoint}: the response's X-Road headers are unusable`,
      {
        endpoint,
        header: (err as GatewayError).data?.header,
      },
    );
  }
  const want = sent.header;
  const differs =
    got.id !== want.id
      ? 'id'
      : !sameClient(got.client, want.client)
        ? 'client'
        : !sameService(got.service, want.service)
          ? 'service'
          : undefined;
  if (differs) {
    throw new GatewayError(
      'LT_XROAD_REPLY_MISMATCH',
      `${endpoint}: the response's xrd:${differs} is not the request's`,
      {
        endpoint,
        header: differs,
        sent:
          differs === 'id'
            ? want.id
            : differs === 'client'
              ? formatClientId(want.client)
              : formatServiceId(want.service),
      },
    );
  }
  if (!got.requestHash)
    throw new GatewayError(
      'LT_XROAD_REQUEST_HASH_MISMATCH',
      `${endpoint}: the response carries no xrd:requestHash`,
      { endpoint },
    );
  let expected: string;
  try {
    expected = requestHashOf(sent.bytes, got.requestHash.algorithmId);
  } catch {
    throw new GatewayError(
      'LT_XROAD_REQUEST_HASH_MISMATCH',
      `${endpoint}: the response's requestHash names an unknown algorithm`,
      { endpoint },
    );
  }
  if (expected !== got.requestHash.value)
    throw new GatewayError(
      'LT_XROAD_REQUEST_HASH_MISMATCH',
      `${endpoint}: the response's requestHash is not the digest of the request sent`,
      { endpoint },
    );
  return env;
}
