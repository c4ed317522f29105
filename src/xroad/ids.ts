import { Type } from '@sinclair/typebox';
import { GatewayError } from '../message/errors.js';

/**
 * X-Road identifiers (DOMAIN.md §1): a client is a member or one of its
 * subsystems, `INSTANCE/CLASS/MEMBER[/SUBSYSTEM]`; a service belongs to a
 * subsystem, `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICECODE[/VERSION]`. In
 * Vietnam the member code is the organisation id (`000.00.00.H41`); the
 * instance and member class are the platform operator's, so they come from
 * configuration and are never written into the code.
 */
export interface XRoadClientId {
  readonly instance: string;
  readonly memberClass: string;
  readonly memberCode: string;
  readonly subsystemCode?: string;
}

export interface XRoadServiceId extends XRoadClientId {
  readonly subsystemCode: string;
  readonly serviceCode: string;
  readonly serviceVersion?: string;
}

/** The characters X-Road allows in an identifier part: letters, digits and `'()+,-.=?`. */
const PART = /^[A-Za-z0-9'()+,\-.=?]{1,255}$/;

/** A part of an identifier, or undefined when it has characters X-Road does not allow (or none). */
export function isIdPart(s: string): boolean {
  return PART.test(s);
}

/** Config schema of a client id string; `check` and the loader refuse any other shape. */
export const ClientIdString = (description: string) =>
  Type.String({
    pattern: "^[A-Za-z0-9'()+,\\-.=?]+(/[A-Za-z0-9'()+,\\-.=?]+){2,3}$",
    description: `${description} (INSTANCE/CLASS/MEMBER[/SUBSYSTEM])`,
  });

export const ServiceIdString = (description: string) =>
  Type.String({
    pattern: "^[A-Za-z0-9'()+,\\-.=?]+(/[A-Za-z0-9'()+,\\-.=?]+){4,5}$",
    description,
  });

function invalid(
  what: string,
  text: string,
  code: 'LT_XROAD_HEADER_INVALID' | 'LT_CONFIG_INVALID',
): never {
  throw new GatewayError(code, `${what} "${text.slice(0, 200)}" is not an X-Road identifier`);
}

/** `INSTANCE/CLASS/MEMBER[/SUBSYSTEM]` → client id; `code` says whose mistake a bad one is. */
export function parseClientId(
  text: string,
  code: 'LT_XROAD_HEADER_INVALID' | 'LT_CONFIG_INVALID' = 'LT_XROAD_HEADER_INVALID',
): XRoadClientId {
  const parts = text.split('/');
  if (parts.length < 3 || parts.length > 4 || !parts.every(isIdPart))
    invalid('client id', text, code);
  const [instance, memberClass, memberCode, subsystemCode] = parts;
  return subsystemCode === undefined
    ? { instance, memberClass, memberCode }
    : { instance, memberClass, memberCode, subsystemCode };
}

/** `INSTANCE/CLASS/MEMBER/SUBSYSTEM` (the service's provider) plus a service code and version. */
export function serviceOf(
  provider: XRoadClientId,
  serviceCode: string,
  serviceVersion?: string,
): XRoadServiceId {
  if (!provider.subsystemCode)
    throw new GatewayError(
      'LT_CONFIG_INVALID',
      `X-Road services belong to a subsystem; ${formatClientId(provider)} names a member`,
    );
  if (!isIdPart(serviceCode) || (serviceVersion !== undefined && !isIdPart(serviceVersion)))
    throw new GatewayError('LT_CONFIG_INVALID', `"${serviceCode}" is not an X-Road service code`);
  return {
    ...provider,
    subsystemCode: provider.subsystemCode,
    serviceCode,
    ...(serviceVersion ? { serviceVersion } : {}),
  };
}

/** `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICECODE[/VERSION]` → service id. */
export function parseServiceId(
  text: string,
  code: 'LT_XROAD_HEADER_INVALID' | 'LT_CONFIG_INVALID' = 'LT_XROAD_HEADER_INVALID',
): XRoadServiceId {
  const parts = text.split('/');
  if (parts.length < 5 || parts.length > 6 || !parts.every(isIdPart))
    invalid('service id', text, code);
  const [instance, memberClass, memberCode, subsystemCode, serviceCode, serviceVersion] = parts;
  return {
    instance,
    memberClass,
    memberCode,
    subsystemCode,
    serviceCode,
    ...(serviceVersion === undefined ? {} : { serviceVersion }),
  };
}

export function formatClientId(id: XRoadClientId): string {
  const base = `${id.instance}/${id.memberClass}/${id.memberCode}`;
  return id.subsystemCode === undefined ? base : `${base}/${id.subsystemCode}`;
}

export function formatServiceId(id: XRoadServiceId): string {
  const base = `${formatClientId(id)}/${id.serviceCode}`;
  return id.serviceVersion === undefined ? base : `${base}/${id.serviceVersion}`;
}

/** The service's provider (its subsystem), as a client id. */
export function providerOf(id: XRoadServiceId): XRoadClientId {
  return {
    instance: id.instance,
    memberClass: id.memberClass,
    memberCode: id.memberCode,
    subsystemCode: id.subsystemCode,
  };
}

export function sameClient(a: XRoadClientId, b: XRoadClientId): boolean {
  return formatClientId(a) === formatClientId(b);
}

export function sameService(a: XRoadServiceId, b: XRoadServiceId): boolean {
  return formatServiceId(a) === formatServiceId(b);
}
