import { Type } from '@sinclair/typebox';
import {
  AccountSchema,
  ApprovalSchema,
  ConnectionSchema,
  CONNECTION_STATES,
  GrantSchema,
  OrganisationSchema,
  TERMINATION_CASES,
} from '../policy/model.js';

/** What the admin API accepts, derived from the model's schemas (one spec: src/policy/model.ts). */
const Secret = Type.String({
  minLength: 12,
  maxLength: 256,
  description: 'Secret (hashed when stored)',
});
const Roles = Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 20 });
const Services = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 200 });
const Reason = Type.String({ minLength: 1, maxLength: 500 });

export const OrganisationInput = OrganisationSchema;

export const ConnectionInput = Type.Pick(ConnectionSchema, [
  'id',
  'consumer',
  'provider',
  'path',
  'approval',
]);

export const StateChangeInput = Type.Object(
  {
    to: Type.Union(CONNECTION_STATES.map((s) => Type.Literal(s))),
    reason: Reason,
    case: Type.Optional(Type.Union(TERMINATION_CASES.map((s) => Type.Literal(s)))),
  },
  { additionalProperties: false },
);

export const ApprovalInput = ApprovalSchema;

export const GrantInput = Type.Omit(GrantSchema, ['revoked']);

export const RevokeInput = Type.Object({ reason: Reason }, { additionalProperties: false });

export const ClientInput = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' }),
    org: Type.String(),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    secret: Secret,
    roles: Type.Optional(Type.Array(Type.Literal('admin'), { maxItems: 1 })),
    subsystem: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const AccountInput = Type.Composite([
  Type.Pick(AccountSchema, ['id', 'org', 'officer', 'position', 'roles', 'services', 'requestRef']),
  Type.Object({ secret: Secret }),
]);

export const AccountChangeInput = Type.Object(
  {
    requestRef: Type.String({ minLength: 1, maxLength: 200 }),
    roles: Type.Optional(Roles),
    services: Type.Optional(Services),
    secret: Type.Optional(Secret),
  },
  { additionalProperties: false },
);

export const AccountRevokeInput = Type.Object(
  { requestRef: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const ResolveInput = Type.Object(
  { note: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);

export const LoginInput = Type.Object(
  {
    account: Type.String({ minLength: 1, maxLength: 128 }),
    secret: Type.String({ maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const LogoutInput = Type.Object(
  { account: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
