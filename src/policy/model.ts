import { Type, type Static, type TLiteral, type TUnion } from '@sinclair/typebox';

/**
 * The policy model (docs/policy.md): who the parties are, which connections
 * join them, what each connection may use and who approved it. These schemas
 * are what the admin API accepts, what the store holds (as JSON documents)
 * and what the OpenAPI document shows; the store's rows are checked against
 * them when loaded, so a hand-edited row cannot slip past them.
 */

/** National organisation id: `000.00.00.H00` (ministry/province . unit . sub-unit . letter+2 digits). */
export const NATIONAL_ORG_ID = '^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}$';
const OrgRef = Type.String({
  pattern: NATIONAL_ORG_ID,
  description: 'Organisation national id, 000.00.00.H00',
  examples: ['000.00.00.H26'],
});
/** Two-digit province code of the administrative-unit catalog (QĐ 124/2004, 2025 units). */
const Province = Type.String({
  pattern: '^[0-9]{2}$',
  description: 'Province code',
  examples: ['26'],
});
const Id = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$',
  description: 'Identifier',
});
const Text = (description: string, maxLength = 500) =>
  Type.String({ minLength: 1, maxLength, description });
const Timestamp = (description: string) =>
  Type.String({ format: 'date-time', description: `${description} (RFC 3339)` });

export const ORG_KINDS = [
  'state-agency',
  'political-organisation',
  'credit-institution',
  'telco',
  'digital-signature-provider',
  'e-id-provider',
  'notary',
  'bailiff',
  'other-public-service',
] as const;
export type OrgKind = (typeof ORG_KINDS)[number];
function literals<T extends readonly string[]>(
  values: T,
  description: string,
): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    { description },
  );
}

/** R15: the organisation's focal-point officer, published with its readiness. */
export const FocalPointSchema = Type.Object(
  {
    name: Text('Full name', 200),
    position: Text('Position', 200),
    phone: Type.String({ pattern: '^[0-9+() .-]{6,20}$', description: 'Phone number' }),
    email: Type.String({ format: 'email', maxLength: 200, description: 'E-mail address' }),
  },
  { additionalProperties: false, description: 'Focal-point officer (R15)' },
);

export const OrganisationSchema = Type.Object(
  {
    id: OrgRef,
    name: Text('Name', 300),
    level: literals(['central', 'provincial'] as const, 'Administrative level'),
    province: Type.Optional(Province),
    kind: literals(ORG_KINDS, 'Kind of organisation (R10.1, R10.2)'),
    focalPoint: Type.Optional(FocalPointSchema),
    /** R15: whether the organisation has published its readiness to share data. */
    ready: Type.Boolean({ default: false, description: 'Ready to share data (R15)' }),
    /** R10.4: every request of its clients names an active account of the organisation. */
    accountsRequired: Type.Boolean({
      default: false,
      description:
        'Requests must name an active officer account of the organisation granted the service (R10.4)',
    }),
  },
  { additionalProperties: false, description: 'An organisation (consumer or provider)' },
);
export type Organisation = Static<typeof OrganisationSchema>;

export const PATHS = ['ndxp', 'lgsp', 'vdxp', 'other'] as const;
export const CONNECTION_STATES = [
  'registered',
  'testing',
  'active',
  'suspended',
  'terminated',
] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];
/** R6's termination cases; a change may also give free text only. */
export const TERMINATION_CASES = [
  'purpose-mismatch',
  'unrecoverable-failure',
  'authority-request',
  'no-longer-needed',
  'agreement-expired',
] as const;

/** R1.3: what lets a connection over another path be activated. */
export const ApprovalSchema = Type.Object(
  {
    assessment: Text('Security assessment (result and who made it)'),
    approver: Text('Who approved (the NPD authority)', 200),
    date: Type.String({ format: 'date', description: 'Date of approval' }),
    reference: Text('Reference document', 200),
  },
  { additionalProperties: false, description: 'Approval record of a path outside NDXP/LGSP/VDXP' },
);

export const StateChangeSchema = Type.Object(
  {
    from: literals(CONNECTION_STATES, 'State before'),
    to: literals(CONNECTION_STATES, 'State after'),
    reason: Text('Why'),
    case: Type.Optional(literals(TERMINATION_CASES, 'Termination case (R6)')),
    who: Text('Who made the change', 200),
    at: Timestamp('When'),
  },
  { additionalProperties: false },
);
export type StateChange = Static<typeof StateChangeSchema>;

export const ConnectionSchema = Type.Object(
  {
    id: Id,
    consumer: OrgRef,
    provider: OrgRef,
    path: literals(PATHS, 'Path the connection goes by (R1)'),
    approval: Type.Optional(ApprovalSchema),
    state: literals(CONNECTION_STATES, 'Lifecycle state'),
    /** The reason of the last change: what a refused caller is told. */
    reason: Type.Optional(Type.String({ maxLength: 500 })),
    history: Type.Array(StateChangeSchema),
  },
  { additionalProperties: false, description: 'A connection between a consumer and a provider' },
);
export type Connection = Static<typeof ConnectionSchema>;

/** R10.3: who approved a grant. */
export const AuthoritySchema = Type.Union(
  [
    Type.Object(
      { kind: Type.Literal('npd-authority') },
      { additionalProperties: false, description: 'The head of the NPD authority' },
    ),
    Type.Object(
      { kind: Type.Literal('provincial-police'), province: Province },
      { additionalProperties: false, description: "A province's police director" },
    ),
  ],
  { description: 'The approving authority (R10.3)' },
);
export type Authority = Static<typeof AuthoritySchema>;

export const GrantSchema = Type.Object(
  {
    id: Id,
    connection: Id,
    service: Text('Service id (a route’s `service`)', 200),
    purposes: Type.Array(Text('Purpose (public-service code, e.g. G15-TP110), or * for any', 100), {
      minItems: 1,
      maxItems: 200,
    }),
    fields: Type.Array(Text('Reply field path (a.b.c), or * for all', 200), {
      minItems: 1,
      maxItems: 500,
      description: 'Fields the reply may carry (R11)',
    }),
    validFrom: Timestamp('Valid from'),
    validTo: Timestamp('Valid until'),
    approvedBy: AuthoritySchema,
    approver: Text('Name of the approving officer', 200),
    reference: Text('Approval document reference', 200),
    revoked: Type.Optional(
      Type.Object(
        { reason: Text('Why'), who: Text('Who', 200), at: Timestamp('When') },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, description: 'What a connection may use (R10, R11)' },
);
export type Grant = Static<typeof GrantSchema>;

/** A registered system credential (an OAuth2 client of a consumer organisation). */
export const ClientSchema = Type.Object(
  {
    id: Id,
    org: OrgRef,
    name: Type.String({ maxLength: 200, default: '' }),
    secretHash: Type.String({ pattern: '^scrypt\\$' }),
    subsystem: Type.Optional(Type.String({ maxLength: 200 })),
    roles: Type.Array(Type.Literal('admin'), {
      maxItems: 1,
      default: [],
      description: "'admin' may use the /admin API",
    }),
    status: literals(['active', 'revoked'] as const, 'Status'),
  },
  { additionalProperties: false },
);
export type RegisteredClient = Static<typeof ClientSchema>;

/** R10.4: one account per officer, never shared. */
export const AccountSchema = Type.Object(
  {
    id: Id,
    org: OrgRef,
    officer: Text('Officer full name', 200),
    position: Type.Optional(Type.String({ maxLength: 200 })),
    roles: Type.Array(Type.String({ maxLength: 50 }), { maxItems: 20 }),
    services: Type.Array(Type.String({ maxLength: 200 }), { maxItems: 200 }),
    secretHash: Type.String({ pattern: '^scrypt\\$' }),
    secretSetAt: Timestamp('When the secret was last set'),
    requestRef: Text('The agency head’s written request', 200),
    status: literals(['active', 'revoked'] as const, 'Status'),
  },
  { additionalProperties: false },
);
export type Account = Static<typeof AccountSchema>;

/** The kinds of documents the store holds, and their schemas. */
export const DOC_SCHEMAS = {
  organisation: OrganisationSchema,
  connection: ConnectionSchema,
  grant: GrantSchema,
  client: ClientSchema,
  account: AccountSchema,
} as const;
export type DocKind = keyof typeof DOC_SCHEMAS;
export interface Docs {
  organisation: Organisation;
  connection: Connection;
  grant: Grant;
  client: RegisteredClient;
  account: Account;
}

/** Who made a change and why: every admin write carries it. */
export interface ChangeBy {
  who: string;
  why: string;
}

/** R8: what a refused caller was told, kept and sent to the dispute authority. */
export interface RefusalRecord {
  at: string;
  code: string;
  reason: string;
  exchangeId?: string;
  route: string;
  service: string;
  purpose?: string;
  clientId: string;
  orgId: string;
  ip?: string;
  connection?: string;
  grant?: string;
}

export const DataErrorInputSchema = Type.Object(
  {
    service: Text('Service the data came from', 200),
    recordRef: Text('Which record (request id, exchange id, record number)', 200),
    field: Text('Which field is wrong', 200),
    description: Text('What is wrong', 2000),
  },
  { additionalProperties: false, description: 'An error found in shared data (R12)' },
);
export interface DataErrorReport extends Static<typeof DataErrorInputSchema> {
  id: string;
  at: string;
  reporterOrg: string;
  reporterClient: string;
  /** The organisation that provides the service (from the reporter's connection), or '' if unknown. */
  provider: string;
  status: 'open' | 'resolved';
  resolution?: { note: string; who: string; at: string };
}
