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
    auth: Type.Union([Type.Literal('bearer'), Type.Literal('none')], {
      default: 'bearer',
      description: 'bearer: callers need an access token from /token; none: open route',
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
