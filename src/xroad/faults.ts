import { GatewayError, type ErrorCode } from '../message/errors.js';
import { providerSaid } from '../message/provider-said.js';
import { SOAP11_NS } from '../xml/soap.js';
import { escapeXmlLossy } from '../xml/write.js';

/**
 * X-Road's own failures, as the security servers report them: a SOAP fault
 * whose faultcode is an X-Road code (`Server.ServerProxy.AccessDenied`,
 * `Server.ClientProxy.NetworkError`, `Client.InvalidSoap`, …), or in the REST
 * profile an `X-Road-Error` header with a JSON body `{type, message, detail}`.
 * The first parts name where it arose: `Client` (the request),
 * `Server.ClientProxy` (the consumer's security server), `Server.ServerProxy`
 * (the provider's).
 */
export type XRoadFaultSource = 'Client' | 'Server.ClientProxy' | 'Server.ServerProxy';

const X_ROAD_CODE = /^(Client|Server\.ClientProxy|Server\.ServerProxy)(\.[A-Za-z0-9_]+)+$/;

/** The source of an X-Road fault code; undefined for any other faultcode (a provider's own `soap:Server`). */
export function xroadFaultSource(code: string): XRoadFaultSource | undefined {
  const m = X_ROAD_CODE.exec(code);
  return m ? (m[1] as XRoadFaultSource) : undefined;
}

/** Which code of the table an X-Road fault is: by the words X-Road's codes use. */
function codeFor(type: string): ErrorCode {
  if (/\.AccessDenied(\.|$)/.test(type)) return 'LT_XROAD_ACCESS_DENIED';
  if (/\.Unknown(Member|Service|Subsystem|Client)(\.|$)/.test(type))
    return 'LT_XROAD_UNKNOWN_MEMBER';
  if (/\.(NetworkError|Timeout|ServiceTimeout)(\.|$)/.test(type)) return 'LT_XROAD_UNREACHABLE';
  return 'LT_XROAD_FAULT';
}

/**
 * An X-Road fault as a gateway error. The source and the fault type are
 * X-Road's fixed vocabulary and kept in `data` (logged under the exchange
 * id); the message is the security server's words and only logged
 * (`data.provider`). Every one of these is blamed on the provider side, so
 * the breaker counts security-server faults as the provider's.
 */
export function xroadFaultError(
  endpoint: string,
  type: string,
  message: string,
  status: number,
): GatewayError {
  const source = xroadFaultSource(type) ?? 'Server.ServerProxy';
  const code = codeFor(type);
  return new GatewayError(code, `${endpoint}: the security server answered ${type.slice(0, 120)}`, {
    endpoint,
    status,
    source,
    xroadFault: type.slice(0, 200),
    provider: providerSaid(message),
  });
}

/**
 * A SOAP fault as a security server writes one: the X-Road code unprefixed
 * in faultcode, its message in faultstring, a detail string (the server's
 * id of the failure) in `<detail><faultDetail>`. For the simulator.
 */
export function xroadSoapFault(type: string, message: string, detail = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="${SOAP11_NS}"><SOAP-ENV:Body><SOAP-ENV:Fault>` +
    `<faultcode>${escapeXmlLossy(type)}</faultcode><faultstring>${escapeXmlLossy(message)}</faultstring>` +
    `<faultactor/><detail><faultDetail xmlns="">${escapeXmlLossy(detail)}</faultDetail></detail>` +
    `</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>`
  );
}

/** The REST profile's error body. */
export function xroadErrorBody(type: string, message: string, detail = ''): string {
  return JSON.stringify({ type, message, detail });
}

/**
 * An `X-Road-Error` answer read into a gateway error: the header names the
 * type; the body's `type` is used when the header is bare, and a body that is
 * not the error JSON is still an X-Road fault of the header's type.
 */
export function restErrorOf(
  endpoint: string,
  header: string,
  body: Buffer,
  status: number,
): GatewayError {
  let type = header.trim();
  let message = '';
  try {
    const j = JSON.parse(body.toString('utf8')) as { type?: unknown; message?: unknown };
    if (typeof j.type === 'string' && !xroadFaultSource(type)) type = j.type;
    if (typeof j.message === 'string') message = j.message;
  } catch {
    message = body.subarray(0, 1000).toString('utf8');
  }
  return xroadFaultError(endpoint, type, message, status);
}
