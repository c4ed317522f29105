import { Type, type Static } from '@sinclair/typebox';
import { GatewayError } from '../message/errors.js';
import {
  ClientIdString,
  isIdPart,
  parseClientId,
  serviceOf,
  type XRoadClientId,
  type XRoadServiceId,
} from './ids.js';
import { PROTOCOL_VERSION, type XRoadHeader } from './soap-header.js';

/**
 * Who calls and whom, on the consumer side: the organisation's own client
 * (member code = its organisation id) and the provider's subsystem; the
 * route's operation is the service code. One schema for every endpoint that
 * speaks X-Road (adapters/ndxp, adapters/npd's `xroad:` option).
 */
export const XRoadPartiesSchema = Type.Object(
  {
    client: ClientIdString(
      'This organisation\u2019s X-Road client, e.g. VN/GOV/000.00.00.H57/LIENTHONG',
    ),
    service: ClientIdString(
      'The provider subsystem whose services the endpoint calls, e.g. VN/GOV/000.00.00.G10/NPD; the route\u2019s operation is the service code',
    ),
    serviceVersion: Type.Optional(
      Type.String({
        pattern: "^[A-Za-z0-9'()+,\\-.=?]+$",
        description: 'id:serviceVersion sent with every service',
      }),
    ),
  },
  { additionalProperties: false, description: 'X-Road client and provider identifiers' },
);
export type XRoadPartiesConfig = Static<typeof XRoadPartiesSchema>;

export interface XRoadParties {
  readonly client: XRoadClientId;
  readonly provider: XRoadClientId;
  /** The service id of an operation (checked: a code X-Road can carry). */
  service(operation: string | undefined): XRoadServiceId;
  /** The request header of one exchange: its id is the X-Road message id, the officer its userId. */
  header(operation: string | undefined, exchangeId: string, userId?: string): XRoadHeader;
}

export function xroadParties(cfg: XRoadPartiesConfig, endpoint: string): XRoadParties {
  const client = parseClientId(cfg.client, 'LT_CONFIG_INVALID');
  const provider = parseClientId(cfg.service, 'LT_CONFIG_INVALID');
  if (!provider.subsystemCode)
    throw new GatewayError(
      'LT_CONFIG_INVALID',
      `${endpoint}: xroad service "${cfg.service}" must name a subsystem (INSTANCE/CLASS/MEMBER/SUBSYSTEM)`,
    );
  const services = new Map<string, XRoadServiceId>();
  const service = (operation: string | undefined): XRoadServiceId => {
    const op = operation ?? '';
    let s = services.get(op);
    if (!s) {
      if (!isIdPart(op))
        throw new GatewayError(
          'LT_CONFIG_INVALID',
          `${endpoint}: the route's operation "${op}" is not an X-Road service code`,
        );
      s = serviceOf(provider, op, cfg.serviceVersion);
      services.set(op, s);
    }
    return s;
  };
  return {
    client,
    provider,
    service,
    header: (operation, exchangeId, userId) => ({
      client,
      service: service(operation),
      id: exchangeId,
      protocolVersion: PROTOCOL_VERSION,
      ...(userId ? { userId: userId.slice(0, 255) } : {}),
    }),
  };
}
