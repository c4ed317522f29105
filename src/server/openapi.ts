import { adminOpenApiPaths } from '../admin/routes.js';
import type { GatewayConfig, RouteDef } from '../config/schema.js';
import { ERRORS, GatewayError, type ErrorCode } from '../message/errors.js';
import type { ContractRegistry } from '../validation/contracts.js';
import { soapFaultFor } from '../xml/index.js';
import { oauthError, problemBody } from './problem.js';

const PROBLEM = {
  type: 'object',
  description: 'RFC 9457 problem details with the gateway error code (docs/errors.md)',
  properties: {
    type: { type: 'string', examples: ['urn:lienthong:error:LT_AUTH_MISSING'] },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', enum: Object.keys(ERRORS) },
    detail: { type: 'string' },
    message_vi: { type: 'string' },
    instance: { type: 'string' },
    violations: { type: 'array', items: { type: 'object' } },
    violationCount: { type: 'integer' },
  },
  required: ['type', 'title', 'status', 'code'],
};

type Json = Record<string, unknown>;

const OAUTH_ERROR = {
  type: 'object',
  description: 'OAuth2 error (RFC 6749 §5.2), with the problem details of the same refusal',
  properties: {
    error: { type: 'string' },
    error_description: { type: 'string' },
    ...PROBLEM.properties,
  },
  required: ['error', ...PROBLEM.required],
};

/**
 * A contract's JSON Schema as an OpenAPI 3.1 schema: `$ref`s to shared
 * definitions by `$id` (contracts/npd/citizen.json) point into
 * components.schemas instead, which a validator or a UI can resolve; the
 * dialect (`$schema`) and ids are dropped (3.1's dialect is JSON Schema 2020-12,
 * a superset of what the contracts use).
 */
function openApiSchema(
  schema: unknown,
  sharedNames: ReadonlyMap<string, string>,
  at: string,
): unknown {
  if (Array.isArray(schema)) return schema.map((s) => openApiSchema(s, sharedNames, at));
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema as Json)) {
    if (k === '$schema' || k === '$id') continue;
    if (k === '$ref' && typeof v === 'string') {
      // Local pointers (#/definitions/…) were relative to the schema's own file: now to where it sits.
      out[k] = sharedNames.has(v)
        ? `#/components/schemas/${sharedNames.get(v)}`
        : v.startsWith('#/')
          ? `${at}${v.slice(1)}`
          : v;
    } else out[k] = openApiSchema(v, sharedNames, at);
  }
  return out;
}

/** Codes no route's own caller sees (the server's, the token endpoint's, start-up's). */
const NOT_PER_ROUTE = new Set<ErrorCode>([
  'LT_ROUTE_NOT_FOUND',
  'LT_METHOD_NOT_ALLOWED',
  'LT_HTTP_MALFORMED',
  'LT_HEADERS_TOO_LARGE',
  'LT_REQUEST_TIMEOUT',
  'LT_CONFIG_INVALID',
  'LT_AUTH_INVALID_CLIENT',
  'LT_AUTH_UNSUPPORTED_GRANT',
  'LT_AUTH_BUSY',
  'LT_CANCELLED',
]);

/** The error codes a route can answer with, from what it does. */
function routeCodes(r: RouteDef, config: GatewayConfig): ErrorCode[] {
  const soap = r.from.adapter === 'soap';
  const npd = config.endpoints[r.to.endpoint]?.adapter === 'npd';
  return (Object.keys(ERRORS) as ErrorCode[]).filter((code) => {
    if (NOT_PER_ROUTE.has(code)) return false;
    if (/^LT_(XML|SOAP)_/.test(code)) return soap;
    if (code === 'LT_BAD_JSON' || code.startsWith('LT_JSON_')) return !soap;
    if (/^LT_(AUTH|POLICY)_/.test(code)) return r.auth !== 'none';
    if (code.startsWith('LT_SIG_')) return r.signature.require;
    if (code.startsWith('LT_CONTRACT_')) return !!r.contract;
    if (code === 'LT_NPD_NOT_FOUND' || code === 'LT_CCCD_INVALID') return npd;
    return true;
  });
}

/** One response per HTTP status, with an example body per code of that status. */
function errorResponses(
  codes: ErrorCode[],
  contentType: string,
  body: (code: ErrorCode) => unknown,
  schemaRef: string,
) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const c of codes) byStatus.set(ERRORS[c].http, [...(byStatus.get(ERRORS[c].http) ?? []), c]);
  const out: Json = {};
  for (const [status, cs] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    out[String(status)] = {
      description: cs.map((c) => `${c}: ${ERRORS[c].en}`).join('; '),
      content: {
        [contentType]: {
          schema: { $ref: schemaRef },
          examples: Object.fromEntries(
            cs.map((c) => [c, { summary: ERRORS[c].en, value: body(c) }]),
          ),
        },
      },
    };
  }
  return out;
}

const problemExample = (code: ErrorCode) => problemBody(new GatewayError(code));

/** The table's codes a SOAP caller gets as faults (always HTTP 500), each with its fault as example. */
function soapFaultResponse(codes: ErrorCode[]): Json {
  return {
    '500': {
      description: `SOAP 1.1 fault; its detail carries the code (${codes.join(', ')})`,
      content: {
        'text/xml': {
          schema: { type: 'string' },
          examples: Object.fromEntries(
            codes.map((c) => [
              c,
              { summary: ERRORS[c].en, value: soapFaultFor(new GatewayError(c)) },
            ]),
          ),
        },
      },
    },
  };
}

interface SoapFrom {
  adapter: 'soap';
  path: string;
  operation: string;
  requestElement?: string;
  namespace?: string;
}

/** A skeleton envelope for one SOAP operation, for the examples list of its path. */
function soapSkeleton(f: SoapFrom): string {
  const el = f.requestElement ?? f.operation;
  return `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="${f.namespace ?? ''}"><soapenv:Body><ns:${el}>…</ns:${el}></soapenv:Body></soapenv:Envelope>`;
}

const text = (description: string, contentType = 'text/plain') => ({
  description,
  content: { [contentType]: { schema: { type: 'string' } } },
});

/** /token and the system endpoints, as registerSystemRoutes serves them. */
function systemPaths(): Record<string, Json> {
  const oauthExample = (code: ErrorCode) => ({
    error: oauthError(code),
    error_description: ERRORS[code].en,
    ...problemExample(code),
  });
  return {
    '/token': {
      post: {
        operationId: 'token',
        summary: 'OAuth2 client credentials (RFC 6749 §4.4): a bearer token for the routes',
        tags: ['system'],
        security: [{ clientBasic: [] }],
        requestBody: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': {
              schema: {
                type: 'object',
                properties: {
                  grant_type: { type: 'string', const: 'client_credentials' },
                  client_id: { type: 'string', description: 'Only without HTTP Basic' },
                  client_secret: { type: 'string', description: 'Only without HTTP Basic' },
                },
                required: ['grant_type'],
              },
              example: { grant_type: 'client_credentials' },
            },
          },
        },
        responses: {
          '200': {
            description: 'The token (Cache-Control: no-store)',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    access_token: { type: 'string' },
                    token_type: { type: 'string', const: 'Bearer' },
                    expires_in: { type: 'integer' },
                  },
                  required: ['access_token', 'token_type', 'expires_in'],
                },
              },
            },
          },
          ...errorResponses(
            [
              'LT_AUTH_UNSUPPORTED_GRANT',
              'LT_AUTH_MISSING',
              'LT_AUTH_INVALID_CLIENT',
              'LT_AUTH_BUSY',
            ],
            'application/json',
            oauthExample,
            '#/components/schemas/OAuthError',
          ),
        },
      },
    },
    '/healthz': {
      get: {
        operationId: 'healthz',
        summary: 'Liveness: the process answers',
        tags: ['system'],
        responses: {
          '200': {
            description: 'Alive',
            content: {
              'application/json': { schema: { type: 'object' }, example: { status: 'ok' } },
            },
          },
        },
      },
    },
    '/readyz': {
      get: {
        operationId: 'readyz',
        summary:
          'Readiness: store reachable, routes loaded; breaker state and in-flight calls per endpoint',
        tags: ['system'],
        responses: {
          '200': {
            description: 'Ready',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          '503': {
            description: 'Not ready (store unreachable or no routes)',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
    },
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics (docs/operations.md)',
        tags: ['system'],
        responses: { '200': text('Prometheus text exposition format') },
      },
    },
    '/.well-known/jwks.json': {
      get: {
        operationId: 'jwks',
        summary: "The gateway's public signing keys (RFC 7517), for the signatures on its replies",
        tags: ['system'],
        responses: {
          '200': {
            description: 'JWK set',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { keys: { type: 'array', items: { type: 'object' } } },
                },
              },
            },
          },
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        summary: 'This document',
        tags: ['system'],
        responses: {
          '200': {
            description: 'OpenAPI 3.1',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
    },
    '/docs': {
      get: {
        operationId: 'docs',
        summary: 'This reference, interactive, with the error table',
        tags: ['system'],
        responses: { '200': text('HTML page', 'text/html') },
      },
    },
  };
}

/** The published technical documentation (R3), generated from the routes and contracts. */
export function buildOpenApi(
  config: GatewayConfig,
  routes: RouteDef[],
  contracts: ContractRegistry,
): Record<string, unknown> {
  // Shared definitions become components, named by their title (else the id's last part).
  const sharedNames = new Map<string, string>();
  const schemas: Json = { Problem: PROBLEM, OAuthError: OAUTH_ERROR };
  for (const [id, schema] of contracts.shared) {
    const name = String(schema.title ?? id.split(':').pop()).replace(/[^A-Za-z0-9._-]/g, '');
    sharedNames.set(id, name);
  }
  /** A schema placed under components.schemas[name]; its $ref there. */
  const component = (name: string, schema: unknown) => {
    const at = `#/components/schemas/${name}`;
    schemas[name] = openApiSchema(schema, sharedNames, at);
    return { $ref: at };
  };
  for (const [id, schema] of contracts.shared) component(sharedNames.get(id)!, schema);
  // A contract's schemas are components too (npd.TraCuuThongTinCongDan.request): shared, and their local $refs resolve.
  const contractSchema = (
    name: string | undefined,
    side: 'request' | 'response',
    schema?: object,
  ) =>
    name && schema ? component(`${name.replace('/', '.')}.${side}`, schema) : { type: 'object' };

  const paths: Record<string, Record<string, unknown>> = {};
  const soapOps = new Map<string, RouteDef[]>();
  for (const r of routes) {
    const from = r.from as { adapter: string; method?: string; path?: string; operation?: string };
    if (!from.path) continue;
    if (from.adapter === 'soap') {
      soapOps.set(from.path, [...(soapOps.get(from.path) ?? []), r]);
      continue;
    }
    const contract = r.contract ? contracts.get(r.contract) : undefined;
    const method = (from.method ?? 'POST').toLowerCase();
    const op: Json = {
      operationId: r.id,
      summary: r.description || r.service,
      tags: [r.service.split('.')[0]],
      'x-lienthong-service': r.service,
      ...(r.auth === 'bearer' ? { security: [{ clientCredentials: [] }] } : {}),
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: contractSchema(r.contract, 'request', contract?.requestSchema),
            ...(r.examples?.request !== undefined ? { example: r.examples.request } : {}),
          },
        },
      },
      responses: {
        '200': {
          description: r.signature.signReply
            ? 'Reply, signed: X-JWS-Signature (detached JWS, keys at /.well-known/jwks.json)'
            : 'Reply',
          content: {
            'application/json': {
              schema: contractSchema(r.contract, 'response', contract?.responseSchema),
              ...(r.examples?.response !== undefined ? { example: r.examples.response } : {}),
            },
          },
        },
        ...errorResponses(
          routeCodes(r, config),
          'application/problem+json',
          problemExample,
          '#/components/schemas/Problem',
        ),
      },
    };
    if (r.signature.require) {
      op.parameters = [
        {
          name: 'X-JWS-Signature',
          in: 'header',
          required: false,
          description: 'Detached JWS over the body (or send application/jose)',
          schema: { type: 'string' },
        },
      ];
    }
    (paths[from.path] ??= {})[method] = op;
  }

  // SOAP: the operation is the Body's element, not the path, so several routes
  // share one path item. OpenAPI has one operation per path and method; each
  // SOAP operation is an entry of x-lienthong-soap-operations and a named
  // request example (the examples list of an interactive reference), and
  // the WSDL at ?wsdl remains the contract.
  for (const [path, ops] of soapOps) {
    const bearer = ops.some((r) => r.auth === 'bearer');
    const codes = [...new Set(ops.flatMap((r) => routeCodes(r, config)))];
    paths[path] = {
      post: {
        operationId: `soap${path.replace(/[^A-Za-z0-9]+/g, '-')}`,
        summary: `SOAP 1.1 service, ${ops.length} operation(s): ${ops.map((r) => (r.from as SoapFrom).operation).join(', ')}`,
        description: `WSDL: ${path}?wsdl. The Body element chooses the operation:\n\n${ops
          .map(
            (r) =>
              `- **${(r.from as SoapFrom).operation}** (route ${r.id}, service ${r.service}): ${r.description}`,
          )
          .join('\n')}`,
        tags: [ops[0].service.split('.')[0]],
        ...(bearer ? { security: [{ clientCredentials: [] }] } : {}),
        'x-lienthong-soap-operations': ops.map((r) => {
          const f = r.from as SoapFrom;
          return {
            operation: f.operation,
            requestElement: f.requestElement ?? f.operation,
            namespace: f.namespace,
            route: r.id,
            service: r.service,
            description: r.description,
          };
        }),
        parameters: [
          {
            name: 'SOAPAction',
            in: 'header',
            required: false,
            schema: { type: 'string' },
            example: '""',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'text/xml': {
              schema: { type: 'string' },
              examples: Object.fromEntries(
                ops.map((r) => [
                  (r.from as SoapFrom).operation,
                  { summary: r.description, value: soapSkeleton(r.from as SoapFrom) },
                ]),
              ),
            },
          },
        },
        responses: {
          '200': {
            description: 'SOAP reply (signed when the route signs: X-JWS-Signature)',
            content: { 'text/xml': { schema: { type: 'string' } } },
          },
          ...soapFaultResponse(codes),
        },
      },
      get: {
        operationId: `wsdl${path.replace(/[^A-Za-z0-9]+/g, '-')}`,
        summary: 'The WSDL (?wsdl) and its XSDs (?xsd=<file>)',
        tags: [ops[0].service.split('.')[0]],
        parameters: [
          {
            name: 'wsdl',
            in: 'query',
            required: false,
            allowEmptyValue: true,
            schema: { type: 'string' },
          },
          { name: 'xsd', in: 'query', required: false, schema: { type: 'string' } },
        ],
        responses: {
          '200': text('WSDL or XSD', 'text/xml'),
          ...soapFaultResponse(['LT_ROUTE_NOT_FOUND']),
        },
      },
    };
  }
  Object.assign(paths, systemPaths());
  Object.assign(paths, adminOpenApiPaths());

  return {
    openapi: '3.1.0',
    info: {
      title: 'lienthong gateway',
      version: '0.1.0',
      description:
        'Routes served by this gateway. Get a token with POST /token (OAuth2 client credentials, HTTP Basic), then call a route with Authorization: Bearer <token>. Every refusal carries a code of the error table (/docs).',
    },
    servers: [
      { url: config.server.publicUrl ?? `http://${config.server.host}:${config.server.port}` },
    ],
    tags: [
      { name: 'system', description: 'Tokens, health, metrics, keys and documentation' },
      {
        name: 'admin',
        description: 'Policy model administration, admin role only (docs/policy.md)',
      },
      { name: 'policy', description: 'Data-error reports and officer sessions' },
    ],
    paths,
    components: {
      securitySchemes: {
        clientCredentials: {
          type: 'oauth2',
          flows: { clientCredentials: { tokenUrl: '/token', scopes: {} } },
        },
        clientBasic: {
          type: 'http',
          scheme: 'basic',
          description: 'client id and secret at /token',
        },
      },
      schemas,
    },
  };
}
