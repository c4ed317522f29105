import { Type, type Static, type TObject, type TPartial, type TSchema } from '@sinclair/typebox';

/**
 * The gateway's configuration, as TypeBox schemas: one definition gives the
 * TypeScript type, the runtime validation (ajv, with defaults applied) and the
 * reference in docs/config-reference.md (`lienthong docs config`).
 * Adapter-specific options are declared by each adapter and checked by the
 * registry against the same mechanism.
 */

const OrgId = Type.String({
  minLength: 3,
  description:
    'Organisation id in the national form 000.00.00.H00 (lenient: test systems use other forms)',
  examples: ['000.00.00.H57'],
});

/**
 * The one resilience policy: an endpoint's `resilience:` is this schema with
 * its defaults; a route's `resilience:` overrides single fields of it
 * (RouteResilienceSchema, no defaults), merged once at start-up
 * (src/config/resilience.ts).
 */
export const ResilienceSchema = Type.Object(
  {
    timeoutMs: Type.Integer({
      minimum: 1,
      default: 5000,
      description: 'Per-attempt timeout of a provider call, in ms (LT_UPSTREAM_TIMEOUT)',
    }),
    retries: Type.Integer({
      minimum: 0,
      maximum: 5,
      default: 0,
      description:
        'Extra attempts after a timeout, an unreachable provider or a 5xx; only for idempotent operations',
    }),
    backoffMs: Type.Integer({
      minimum: 0,
      default: 100,
      description: 'Ceiling of the first retry pause, in ms; doubles per retry (full jitter)',
    }),
    maxBackoffMs: Type.Integer({
      minimum: 0,
      default: 2000,
      description: 'Ceiling of any retry pause, in ms',
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'Timeout and retries of calls to this provider',
  },
);

/** A copy of an object schema whose fields are all optional and carry no default. */
function overridesOf<T extends TObject>(schema: T, description: string): TPartial<T> {
  const props: Record<string, TSchema> = {};
  for (const [k, p] of Object.entries<TSchema>(schema.properties)) {
    const { default: _unused, ...rest } = p;
    props[k] = rest as TSchema;
  }
  return Type.Partial(Type.Object(props, { additionalProperties: false }), {
    description,
  }) as unknown as TPartial<T>;
}

/**
 * What a route may override of its endpoint's resilience. No defaults here:
 * a field the route leaves out is the endpoint's (a default would silently
 * replace it).
 */
export const RouteResilienceSchema = overridesOf(
  ResilienceSchema,
  "Overrides of the endpoint's resilience for this route only; unset fields are the endpoint's",
);

export const BreakerSchema = Type.Object(
  {
    errorThresholdPercentage: Type.Integer({
      minimum: 1,
      maximum: 100,
      default: 50,
      description: 'Failed calls, in % of the rolling window, that open the breaker',
    }),
    volumeThreshold: Type.Integer({
      minimum: 1,
      default: 5,
      description: 'Calls in the rolling window before the breaker may open',
    }),
    resetTimeoutMs: Type.Integer({
      minimum: 10,
      default: 10000,
      description: 'Time open before a trial call (half-open), in ms',
    }),
    rollingCountTimeoutMs: Type.Integer({
      minimum: 100,
      default: 10000,
      description: 'Length of the rolling window the failure rate is counted over, in ms',
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'Circuit breaker: stops calling a failing provider (LT_BREAKER_OPEN)',
  },
);

export const EndpointSchema = Type.Object(
  {
    adapter: Type.String({
      description: 'Adapter that speaks to this provider (http, soap, npd, …)',
    }),
    url: Type.Optional(Type.String({ description: 'Base URL of the provider' })),
    simulator: Type.Optional(
      Type.String({ description: 'Name of a simulator started by the gateway; its URL is used' }),
    ),
    maxInFlight: Type.Integer({
      minimum: 1,
      default: 256,
      description: 'Bulkhead: requests in flight before new ones are refused (LT_BULKHEAD_FULL)',
    }),
    breaker: BreakerSchema,
    resilience: ResilienceSchema,
    verifyReplyWith: Type.Optional(
      Type.String({ description: 'Peer whose JWKS verifies the signature on replies' }),
    ),
    options: Type.Record(Type.String(), Type.Unknown(), {
      default: {},
      description: "Adapter-specific options, checked against the adapter's endpoint schema",
    }),
  },
  { additionalProperties: false, description: 'A provider the gateway calls' },
);

// ---- limits (src/limits/, docs/limits.md) ----------------------------------
/**
 * What a client, a route (per client on it) or, later, a policy grant is
 * allowed: a named tier, numbers, or a tier with numbers overriding its fields.
 * Nothing set: unlimited.
 */
export const LimitSpecSchema = Type.Object(
  {
    tier: Type.Optional(
      Type.String({ minLength: 1, description: 'A tier under limits.tiers (Bronze, Silver, …)' }),
    ),
    perMinute: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1000000,
        description:
          'Requests a minute (token bucket per instance, bursts up to this many); over it: LT_LIMIT_RATE (429, Retry-After)',
      }),
    ),
    perDay: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1000000000,
        description:
          'Requests a day, shared by every instance (counters in the store); over it: LT_LIMIT_QUOTA (429, Retry-After: until the day resets)',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'Request rate and daily quota (a subscription tier)',
  },
);

export const TierSchema = Type.Object(
  {
    perMinute: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000000, description: 'Requests a minute' }),
    ),
    perDay: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000000000, description: 'Requests a day' }),
    ),
  },
  { additionalProperties: false, description: 'A named tier; neither field: unlimited' },
);

export const LimitsSchema = Type.Object(
  {
    tiers: Type.Record(Type.String({ minLength: 1 }), TierSchema, {
      // WSO2 API Manager's default subscription tiers, so its users find the names they know.
      default: {
        Bronze: { perMinute: 1000 },
        Silver: { perMinute: 2000 },
        Gold: { perMinute: 5000 },
        Unlimited: {},
      },
      description:
        'Named tiers clients and routes refer to (limits.tier); setting tiers replaces the defaults (WSO2’s Bronze, Silver, Gold, Unlimited)',
    }),
    dayOffsetMinutes: Type.Integer({
      minimum: -720,
      maximum: 840,
      default: 420,
      description:
        'Daily quotas reset at midnight of this UTC offset, in minutes (420: Vietnam, UTC+7)',
    }),
    quotaBatch: Type.Integer({
      minimum: 1,
      maximum: 10000,
      default: 20,
      description:
        'Requests an instance admits on a quota before it adds them to the shared counter in one store call; bounds over-admission to (instances − 1) × quotaBatch a day (1: one store call per request)',
    }),
    quotaSyncMs: Type.Integer({
      minimum: 10,
      maximum: 60000,
      default: 1000,
      description:
        'Longest an instance waits before adding what it admitted to the shared counter and reading the others’',
    }),
    maxKeys: Type.Integer({
      minimum: 100,
      maximum: 10000000,
      default: 100000,
      description:
        'Rate buckets and quota counters kept in memory per instance (least recently used dropped first)',
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'Rate limits and daily quotas (docs/limits.md)',
  },
);

export const TokenThrottleSchema = Type.Object(
  {
    ipFailures: Type.Integer({
      minimum: 1,
      default: 20,
      description:
        'Wrong secrets from one IP within windowSeconds before POST /token refuses that IP with LT_AUTH_THROTTLED (429) without checking any secret',
    }),
    clientFailures: Type.Integer({
      minimum: 1,
      default: 5,
      description:
        'Wrong secrets for one client id within windowSeconds before that id is refused the same way, except from IPs that got a token for it recently',
    }),
    windowSeconds: Type.Integer({
      minimum: 1,
      maximum: 86400,
      default: 60,
      description:
        'How long failures are counted, from the first; a refusal’s Retry-After is what is left of it',
    }),
    trustSeconds: Type.Integer({
      minimum: 60,
      maximum: 2592000,
      default: 86400,
      description:
        'How long an IP that got a token for a client id stays exempt from that id’s throttle (keep it above tokens.ttlSeconds: a client renews from where it got its last token)',
    }),
    maxEntries: Type.Integer({
      minimum: 100,
      maximum: 10000000,
      default: 10000,
      description:
        'IPs, client ids and trusted (client, IP) pairs remembered; least recently used dropped first, so a flood of new IPs costs bounded memory',
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'Failed-secret throttling of POST /token (docs/security.md)',
  },
);

export type LimitSpec = Static<typeof LimitSpecSchema>;
export type LimitsConfig = Static<typeof LimitsSchema>;
export type TokenThrottleConfig = Static<typeof TokenThrottleSchema>;
// ---- end limits --------------------------------------------------------------

export const ClientSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, description: 'OAuth2 client id (consumer key)' }),
    name: Type.String({ default: '', description: 'Display name, for logs and operators' }),
    secretHash: Type.String({
      pattern: '^scrypt\\$',
      description: 'scrypt hash of the client secret (`lienthong secret hash`)',
    }),
    orgId: OrgId,
    routes: Type.Array(Type.String(), {
      default: [],
      description: "Route ids the client may call; ['*'] for all",
    }),
    jwks: Type.Optional(
      Type.String({ description: 'Peer whose JWKS verifies this client’s signed requests' }),
    ),
    demo: Type.Boolean({
      default: false,
      description: 'Marks a well-known demo client: the gateway warns at start while it is enabled',
    }),
    limits: Type.Optional(
      Type.Object(LimitSpecSchema.properties, {
        additionalProperties: false,
        description: 'Rate and daily quota of this client over all its routes (docs/limits.md)',
      }),
    ),
    roles: Type.Optional(
      // One known role: a typo is a config error, not a silently powerless client.
      Type.Array(Type.Literal('admin'), {
        description: "Roles of the client: 'admin' may use the /admin API (docs/policy.md)",
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'An OAuth2 client (a consuming agency system). Its `routes:` grant routes without the policy model; with `routes: []` the policy model decides (docs/policy.md)',
  },
);

/** The policy model in the store (docs/policy.md). */
export const PolicySchema = Type.Object(
  {
    reloadIntervalMs: Type.Integer({
      minimum: 0,
      maximum: 3_600_000,
      default: 2000,
      description:
        'How often each instance checks the store for policy changes made elsewhere (0: only on its own changes)',
    }),
    maxOpenDataErrorsPerOrg: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      default: 1000,
      description:
        'Open data-error reports (R12) an organisation may have at once (LT_POLICY_TOO_MANY_REPORTS beyond)',
    }),
    accountSecretMaxAgeDays: Type.Integer({
      minimum: 0,
      maximum: 3650,
      default: 0,
      description:
        'An officer account whose secret is older than this many days cannot log in until it is changed (R11; 0: not enforced)',
    }),
    disputeWebhook: Type.Optional(
      Type.Object(
        {
          url: Type.String({
            pattern: '^https?://',
            description: 'Where each refusal record is POSTed as JSON (R8)',
          }),
          maxQueue: Type.Integer({
            minimum: 1,
            maximum: 1_000_000,
            default: 10_000,
            description: 'Records waiting at most; the oldest are dropped beyond it',
          }),
          attempts: Type.Integer({
            minimum: 1,
            maximum: 20,
            default: 5,
            description: 'Attempts per record',
          }),
          backoffMs: Type.Integer({
            minimum: 1,
            maximum: 600_000,
            default: 500,
            description: 'Base of the exponential backoff between attempts',
          }),
          timeoutMs: Type.Integer({
            minimum: 1,
            maximum: 600_000,
            default: 5000,
            description: 'Timeout of one attempt',
          }),
        },
        {
          additionalProperties: false,
          description: 'The dispute authority notified of every policy refusal (R8)',
        },
      ),
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'Policy model: reload and refusal notification',
  },
);

export const PeerSchema = Type.Object(
  {
    jwks: Type.Optional(
      Type.Object(
        {
          keys: Type.Array(Type.Record(Type.String(), Type.Unknown()), {
            description: 'Public JWKs (RFC 7517)',
          }),
        },
        { description: 'The peer’s public JWKS, inline' },
      ),
    ),
    jwksFile: Type.Optional(
      Type.String({ description: 'File with the peer’s public JWKS (relative: to this file)' }),
    ),
    jwksUrl: Type.Optional(Type.String({ description: 'Fetched once at start-up' })),
    self: Type.Boolean({
      default: false,
      description: 'The gateway’s own keys (for loopback tests)',
    }),
  },
  {
    additionalProperties: false,
    description:
      'Where the public keys of a partner come from (one of jwks, jwksFile, jwksUrl, self)',
  },
);

export const SimulatorSchema = Type.Object(
  {
    name: Type.String({ description: 'Name endpoints refer to (`endpoints.<n>.simulator`)' }),
    adapter: Type.String({ description: 'Adapter whose simulator to start (http, npd, …)' }),
    host: Type.String({ default: '127.0.0.1', description: 'Interface the simulator listens on' }),
    port: Type.Integer({
      minimum: 0,
      maximum: 65535,
      default: 0,
      description: '0 picks a free port',
    }),
    options: Type.Record(Type.String(), Type.Unknown(), {
      default: {},
      description: "Simulator options, checked against the adapter's simulator schema",
    }),
  },
  {
    additionalProperties: false,
    description: 'A simulated provider the gateway starts (tests, trials)',
  },
);

export const StoreSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')], {
      default: 'sqlite',
      description:
        'sqlite (one instance) or postgres (shared by instances); LIENTHONG_STORE overrides',
    }),
    path: Type.String({
      default: 'var/lienthong.db',
      description: 'SQLite file (kind: sqlite)',
    }),
    url: Type.Optional(
      Type.String({ description: 'PostgreSQL URL (kind: postgres); DATABASE_URL overrides' }),
    ),
    schema: Type.String({
      default: 'public',
      description: 'PostgreSQL schema of the tables (kind: postgres)',
    }),
    poolSize: Type.Integer({
      minimum: 1,
      default: 10,
      description: 'PostgreSQL connections per instance (kind: postgres)',
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'Tokens and replay protection (jti) live here',
  },
);

// ---- sharing log (R7, docs/audit.md) ----------------------------------------
/** The shortest retention the regulations allow for sharing-log records (R7). */
export const AUDIT_MIN_RETENTION_DAYS = 90;

export const AuditSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description:
        'Write the sharing log (one record per exchange, refusal, login, admin change); false only for benchmarks and trials',
    }),
    retentionDays: Type.Integer({
      minimum: AUDIT_MIN_RETENTION_DAYS,
      default: 365,
      description: 'Days a record is kept before it is archived and deleted; never below 90 (R7)',
    }),
    checkpointEveryMs: Type.Integer({
      minimum: 10,
      default: 1000,
      description:
        "A signed checkpoint of each writer's chain head is written with the first batch after this many ms (and at close)",
    }),
    maxBatch: Type.Integer({
      minimum: 1,
      maximum: 2000,
      default: 500,
      description: 'Most records written in one transaction (group commit)',
    }),
    commitDelayMs: Type.Integer({
      minimum: 0,
      maximum: 50,
      default: 0,
      description:
        'How long a batch waits for more records before its commit (0: the next turn of the event loop). On SQLite, whose commit blocks the event loop while it reaches the disk, a few ms puts many exchanges in one commit; required routes answer that much later',
    }),
    subjectKey: Type.Optional(
      Type.String({
        minLength: 16,
        description:
          'Secret for the keyed digests of citizen ids that make records searchable by citizen without storing the id (use ${ENV}); required when a route lists audit.subjects',
      }),
    ),
    archiveDir: Type.String({
      default: 'var/audit-archive',
      description: 'Where expired records are archived (JSONL + signed manifest) before deletion',
    }),
  },
  { additionalProperties: false, default: {}, description: 'The tamper-evident sharing log (R7)' },
);

export const RouteAuditSchema = Type.Object(
  {
    mode: Type.Optional(
      Type.Union([Type.Literal('required'), Type.Literal('best-effort')], {
        description:
          'required: the answer waits until its record is durable, and is refused (LT_AUDIT_UNAVAILABLE) when the log cannot be written; best-effort: the record is written in the next batch without holding the answer. Default: required for routes to an npd endpoint, best-effort otherwise',
      }),
    ),
    content: Type.Boolean({
      default: false,
      description:
        "Keep the request and reply bodies in the record (when the connection's agreement requires the shared content)",
    }),
    subjects: Type.Array(Type.String({ pattern: '^/' }), {
      default: [],
      description:
        'Request fields holding citizen ids (JSON pointers; for SOAP bodies, child element names of the operation element): their keyed digests make the record searchable by citizen',
    }),
    officer: Type.Optional(
      Type.String({
        pattern: '^/',
        description:
          "The request field naming the officer (e.g. /officer, or /MaCanBo on SOAP), recorded when the caller's identity names none",
      }),
    ),
    retentionDays: Type.Optional(
      Type.Integer({
        minimum: AUDIT_MIN_RETENTION_DAYS,
        description: "This route's retention, overriding audit.retentionDays; never below 90",
      }),
    ),
  },
  { additionalProperties: false, default: {}, description: "The route's sharing-log records (R7)" },
);
// ---- end sharing log --------------------------------------------------------

export const ConfigSchema = Type.Object(
  {
    server: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1', description: 'Overridden by HOST' }),
        port: Type.Integer({
          minimum: 0,
          maximum: 65535,
          default: 8080,
          description: 'Overridden by PORT',
        }),
        bodyLimit: Type.Integer({ minimum: 1024, default: 1048576, description: 'Bytes' }),
        maxContentCodings: Type.Integer({
          minimum: 0,
          maximum: 2,
          default: 1,
          description:
            'Content codings (gzip, deflate, br) a request body may carry, stacked; more are refused with LT_UNSUPPORTED_MEDIA_TYPE before any is undone. 0 accepts only uncompressed bodies. All layers share the bodyLimit as their decoded size',
        }),
        maxJsonNodes: Type.Integer({
          minimum: 16,
          default: 10000,
          description:
            'Keys and values a JSON request body may hold, counted before it is parsed (LT_JSON_TOO_MANY_NODES); nesting is held to 64 (LT_JSON_TOO_DEEP)',
        }),
        publicUrl: Type.Optional(
          Type.String({
            description:
              'URL clients use, for docs and WSDL. Unset: a WSDL points at the Host the caller used, when it is a host name (anything else is refused with LT_HTTP_MALFORMED); set it in production',
          }),
        ),
        trustProxy: Type.Boolean({
          default: false,
          description: 'Behind a proxy: take the client IP from X-Forwarded-For',
        }),
        shutdownDeadlineMs: Type.Integer({
          minimum: 0,
          default: 10000,
          description:
            "On SIGTERM, how long exchanges in flight may take to finish before the listener and endpoints close; keep it below the orchestrator's grace period (Kubernetes: 30 s)",
        }),
      },
      { additionalProperties: false, default: {}, description: 'The HTTP listener' },
    ),
    log: Type.Object(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) =>
            Type.Literal(l),
          ),
          { default: 'info', description: 'Least severe level written; LOG_LEVEL overrides' },
        ),
        flushIntervalMs: Type.Integer({
          minimum: 10,
          maximum: 10000,
          default: 200,
          description:
            'Log lines are buffered and written at least this often (and at exit or crash): the most a crash can lose, and the longest a line waits',
        }),
      },
      { additionalProperties: false, default: {}, description: 'The JSON log on stdout' },
    ),
    store: StoreSchema,
    audit: AuditSchema,
    keys: Type.Object(
      {
        file: Type.String({ default: 'var/keys.json', description: 'Private JWKS of the gateway' }),
        generateIfMissing: Type.Boolean({
          default: true,
          description:
            'Create the key file at start when it does not exist (false: a missing file is a config error)',
        }),
      },
      { additionalProperties: false, default: {}, description: 'The gateway’s signing keys' },
    ),
    tokens: Type.Object(
      {
        ttlSeconds: Type.Integer({
          minimum: 60,
          default: 3600,
          description: 'Lifetime of an access token, in seconds (expires_in)',
        }),
        issuer: Type.String({ default: 'lienthong', description: 'iss of the access tokens' }),
        audience: Type.String({
          default: 'urn:lienthong:gateway',
          description:
            'This gateway’s identity: aud of its access tokens and of the signed requests it accepts',
        }),
        maxConcurrentSecretChecks: Type.Integer({
          minimum: 1,
          default: 1,
          description:
            'Client-secret checks (scrypt, ~50 ms and 16 MiB each, on the thread pool that also signs exchanges) POST /token runs at once; more are refused with LT_AUTH_BUSY (503) instead of queueing, so a flood of wrong secrets cannot hold the pool',
        }),
        throttle: TokenThrottleSchema,
      },
      { additionalProperties: false, default: {}, description: 'OAuth2 access tokens (/token)' },
    ),
    signatures: Type.Object(
      {
        replayWindowSeconds: Type.Integer({
          minimum: 1,
          default: 300,
          description:
            'How far a signed request’s iat may be from now, in seconds; its jti is remembered that long',
        }),
      },
      { additionalProperties: false, default: {}, description: 'Signed requests (JWS, R14)' },
    ),
    xml: Type.Object(
      {
        maxBytes: Type.Integer({
          minimum: 1024,
          default: 1048576,
          description: 'Size limit of a SOAP request envelope, in bytes (LT_XML_TOO_LARGE)',
        }),
        maxDepth: Type.Integer({
          minimum: 4,
          default: 64,
          description: 'Element nesting limit of a SOAP request envelope (LT_XML_TOO_DEEP)',
        }),
        maxNodes: Type.Integer({
          minimum: 16,
          default: 10000,
          description:
            'Elements plus attributes a SOAP request envelope may hold (LT_XML_TOO_MANY_NODES); parsed before authentication, so it bounds what an unauthenticated request costs',
        }),
        xsdWorker: Type.Boolean({
          default: true,
          description:
            'Validate SOAP messages against their XSD on a worker thread, beside the event loop (errors are the same either way)',
        }),
      },
      { additionalProperties: false, default: {}, description: 'Inbound XML (SOAP)' },
    ),
    routesDir: Type.String({ default: 'routes', description: 'Directory of route YAML files' }),
    contractsDir: Type.String({
      default: 'contracts',
      description: 'Directory of the contracts (<system>/<Name> JSON Schemas, XSDs, WSDLs)',
    }),
    catalogOverridesDir: Type.Optional(
      Type.String({ description: 'Directory of catalog files that replace the built-in ones' }),
    ),
    ethnicityNumbering: Type.Optional(
      Type.Union([Type.Literal('qd1019-2008'), Type.Literal('qd121-1979')], {
        description:
          'Numbering of the ethnicity catalog: absent = QĐ 1019/QĐ-TCTK 2008, as QCVN 109:2017 Annex E gives it for population-database messages; qd121-1979 = the older QĐ 121-TCTK/PPCĐ order (04 Hoa, 06 Mường)',
      }),
    ),
    clients: Type.Array(ClientSchema, { default: [], description: 'Who may get a token' }),
    limits: LimitsSchema,
    policy: PolicySchema,
    peers: Type.Record(Type.String(), PeerSchema, {
      default: {},
      description: 'Partners whose signatures the gateway verifies, by name',
    }),
    endpoints: Type.Record(Type.String(), EndpointSchema, {
      default: {},
      description: 'Providers, by the name routes use in `to.endpoint`',
    }),
    simulators: Type.Array(SimulatorSchema, {
      default: [],
      description: 'Simulated providers to start with the gateway',
    }),
  },
  { additionalProperties: false, description: 'The gateway configuration' },
);

export type GatewayConfig = Static<typeof ConfigSchema>;
export type EndpointConfig = Static<typeof EndpointSchema>;
export type ClientConfig = Static<typeof ClientSchema>;
export type PeerConfig = Static<typeof PeerSchema>;
export type SimulatorConfig = Static<typeof SimulatorSchema>;

export const RouteSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9.-]*$', description: 'Unique route id' }),
    description: Type.String({ default: '', description: 'What the route is for (docs, /routes)' }),
    from: Type.Object(
      { adapter: Type.String({ description: 'Inbound adapter (http, soap)' }) },
      { additionalProperties: true, description: "Inbound binding; the rest is the adapter's" },
    ),
    to: Type.Object(
      {
        endpoint: Type.String({ description: 'Name under endpoints:' }),
        operation: Type.Optional(
          Type.String({ description: 'Provider operation, e.g. a SOAP operation' }),
        ),
      },
      { additionalProperties: false, description: 'The provider call' },
    ),
    service: Type.String({ description: 'Service id, the unit of policy (grants)' }),
    contract: Type.Optional(
      Type.String({ description: 'contracts/<system>/<Name> (request + response)' }),
    ),
    strictResponse: Type.Boolean({
      default: true,
      description: 'Validate provider replies against the contract (false: log only)',
    }),
    translate: Type.Array(Type.String(), {
      default: [],
      description: 'Catalog translation steps applied to the reply (R2), e.g. admin-units-to-2025',
    }),
    codes: Type.Optional(
      Type.Record(Type.String({ pattern: '^/' }), Type.String(), {
        description:
          'Request fields to check before sending: a catalog name (province, commune, sex, …) or cccd (R2). JSON pointers for JSON bodies (/idNumber); for SOAP bodies, child element names of the operation element (/SoDinhDanh)',
      }),
    ),
    auth: Type.Union([Type.Literal('bearer'), Type.Literal('none'), Type.Literal('asserted')], {
      default: 'bearer',
      description:
        'bearer: callers need an access token from /token; asserted: the inbound names the caller (the X-Road client id its security server authenticated) and authorize, limits and projection decide on it; none: open route',
    }),
    signature: Type.Object(
      {
        require: Type.Boolean({ default: false, description: 'Callers must sign requests (JWS)' }),
        signOutbound: Type.Boolean({
          default: false,
          description: 'Sign what is sent to the provider',
        }),
        signReply: Type.Boolean({ default: true, description: 'Sign the reply to the caller' }),
      },
      { additionalProperties: false, default: {}, description: 'JWS signatures (R14)' },
    ),
    resilience: Type.Optional(RouteResilienceSchema),
    limits: Type.Optional(
      Type.Object(LimitSpecSchema.properties, {
        additionalProperties: false,
        description:
          'Rate and daily quota of each client on this route, beside its own (docs/limits.md)',
      }),
    ),
    citizen: Type.Optional(
      Type.Object(
        {
          portal: Type.String({
            minLength: 1,
            description:
              'Peer (peers.<name>) whose JWKS verifies the portal’s citizen assertion (X-Citizen-Assertion, typ lt-citizen+jwt)',
          }),
          idField: Type.String({
            pattern: '^/[^/]+$',
            default: '/idNumber',
            description:
              'Top-level field of the JSON request naming the person asked for: filled with the citizen’s id when absent, refused with LT_CITIZEN_NOT_OWN_RECORD when another',
          }),
          refuseFields: Type.Array(Type.String({ pattern: '^/[^/]+$' }), {
            default: ['/oldIdNumber'],
            description:
              'Other top-level fields that could name a person (the NPD’s 9-digit oldIdNumber): a request carrying one is refused with LT_CITIZEN_NOT_OWN_RECORD, so idField alone says whom it is about',
          }),
          alsoFill: Type.Array(Type.String({ pattern: '^/[^/]+$' }), {
            default: [],
            description:
              'Other top-level request fields given the citizen’s id when absent (the NPD’s officer, MaCanBo: on self-service the citizen is the one asking)',
          }),
          replyIdField: Type.String({
            pattern: '^(/[^/]+)+$',
            default: '/citizen/idNumber',
            description:
              'JSON pointer of the person a reply is about: a reply about anyone else is refused (LT_UPSTREAM_BAD_REPLY), never shown',
          }),
          maxAgeSeconds: Type.Integer({
            minimum: 10,
            maximum: 3600,
            default: 300,
            description: 'Longest lifetime (exp − iat) of an assertion the gateway accepts',
          }),
        },
        {
          additionalProperties: false,
          description:
            'Citizen self-service (R4): the caller acts for a citizen the portal identified; only that citizen’s own record is asked for and answered',
        },
      ),
    ),
    audit: RouteAuditSchema,
    report: Type.Boolean({
      default: false,
      description: 'Answer with what each pipeline stage saw (the connection test, R3)',
    }),
    examples: Type.Optional(
      Type.Object(
        {
          request: Type.Optional(Type.Unknown({ description: 'Example request body' })),
          response: Type.Optional(Type.Unknown({ description: 'Example reply body' })),
        },
        { description: 'Shown in the OpenAPI document (/docs)' },
      ),
    ),
  },
  { additionalProperties: false, description: 'One route: an inbound binding to a provider call' },
);

export type RouteDef = Static<typeof RouteSchema>;
