import type { GatewayConfig, RouteDef } from '../config/schema.js';
import { ERRORS } from '../message/errors.js';
import type { ContractRegistry } from '../validation/contracts.js';

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
  },
  required: ['type', 'title', 'status', 'code'],
};

/** The published technical documentation (R3), generated from the routes and contracts. */
export function buildOpenApi(
  config: GatewayConfig,
  routes: RouteDef[],
  contracts: ContractRegistry,
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const from = r.from as { adapter: string; method?: string; path?: string; operation?: string };
    if (!from.path) continue;
    const contract = r.contract ? contracts.get(r.contract) : undefined;
    const soap = from.adapter === 'soap';
    const method = (from.method ?? 'POST').toLowerCase();
    const op: Record<string, unknown> = {
      operationId: r.id,
      summary: r.description || r.service,
      tags: [r.service.split('.')[0]],
      'x-lienthong-service': r.service,
      ...(r.auth === 'bearer' ? { security: [{ clientCredentials: [] }] } : {}),
      requestBody: soap
        ? {
            required: true,
            description: `SOAP 1.1 envelope; operation ${from.operation ?? ''}. WSDL: ${from.path}?wsdl`,
            content: { 'text/xml': { schema: { type: 'string' } } },
          }
        : {
            required: true,
            content: {
              'application/json': {
                schema: contract?.requestSchema ?? { type: 'object' },
                ...(r.examples?.request !== undefined ? { example: r.examples.request } : {}),
              },
            },
          },
      responses: {
        '200': {
          description: r.signature.signReply
            ? 'Reply, signed: X-JWS-Signature (detached JWS, keys at /.well-known/jwks.json)'
            : 'Reply',
          content: soap
            ? { 'text/xml': { schema: { type: 'string' } } }
            : {
                'application/json': {
                  schema: contract?.responseSchema ?? { type: 'object' },
                  ...(r.examples?.response !== undefined ? { example: r.examples.response } : {}),
                },
              },
        },
        default: {
          description: soap
            ? 'SOAP fault whose detail carries the error code'
            : 'Error with its code',
          content: soap
            ? { 'text/xml': { schema: { type: 'string' } } }
            : { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
    };
    if (r.signature.require) {
      (op as Record<string, unknown>).parameters = [
        {
          name: 'X-JWS-Signature',
          in: 'header',
          required: false,
          description: 'Detached JWS over the body (or send application/jose)',
          schema: { type: 'string' },
        },
      ];
    }
    // Several SOAP operations share one path: document the first, list the rest.
    const key = from.path;
    paths[key] ??= {};
    if (paths[key][method]) {
      const prev = paths[key][method] as Record<string, unknown>;
      prev.summary = `${prev.summary}; ${op.summary}`;
    } else {
      paths[key][method] = op;
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'lienthong gateway',
      version: '0.1.0',
      description:
        'Routes served by this gateway. Get a token with POST /token (OAuth2 client credentials, HTTP Basic), then call a route with Authorization: Bearer <token>.',
    },
    servers: [
      { url: config.server.publicUrl ?? `http://${config.server.host}:${config.server.port}` },
    ],
    paths,
    components: {
      securitySchemes: {
        clientCredentials: {
          type: 'oauth2',
          flows: { clientCredentials: { tokenUrl: '/token', scopes: {} } },
        },
      },
      schemas: { Problem: PROBLEM },
    },
  };
}

function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** A human page at /docs: the same facts as /openapi.json, plus the error table. */
export function renderDocsPage(
  config: GatewayConfig,
  routes: RouteDef[],
  openapi: Record<string, unknown>,
): string {
  const base = (openapi.servers as { url: string }[])[0].url;
  const rows = routes
    .map((r) => {
      const f = r.from as { adapter: string; method?: string; path?: string; operation?: string };
      const where = f.path
        ? `${f.adapter === 'soap' ? 'SOAP' : (f.method ?? 'POST')} ${f.path}${f.operation ? ` (${f.operation})` : ''}`
        : f.adapter;
      const wsdl =
        f.adapter === 'soap' && f.path ? ` · <a href="${esc(f.path)}?wsdl">WSDL</a>` : '';
      const example =
        f.adapter === 'http' && f.path && r.examples?.request !== undefined
          ? `<pre>curl -s -X ${esc(f.method ?? 'POST')} ${esc(base + f.path)} \\\n  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\\n  -d '${esc(JSON.stringify(r.examples.request))}'</pre>`
          : '';
      return `<tr><td><code>${esc(r.id)}</code></td><td><code>${esc(where)}</code>${wsdl}</td><td>${esc(r.service)}</td><td>${esc(r.description)}${example}</td></tr>`;
    })
    .join('\n');
  const errors = Object.entries(ERRORS)
    .map(
      ([code, e]) =>
        `<tr><td><code>${code}</code></td><td>${e.http}</td><td>soap:${e.soap}</td><td>${esc(e.en)}</td><td>${esc(e.vi)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>lienthong — tài liệu kỹ thuật / technical documentation</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top;text-align:left}pre{background:#f4f4f4;padding:.5rem;overflow:auto}code{font-size:.9em}</style></head>
<body>
<h1>lienthong</h1>
<p>Technical documentation published for connecting agencies (R3). Machine-readable: <a href="/openapi.json">/openapi.json</a>; signing keys: <a href="/.well-known/jwks.json">/.well-known/jwks.json</a>; health: <a href="/readyz">/readyz</a>.</p>
<h2>1. Get a token</h2>
<pre>TOKEN=$(curl -s -u CLIENT_ID:CLIENT_SECRET -d grant_type=client_credentials ${esc(base)}/token | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')</pre>
<h2>2. Routes</h2>
<table><tr><th>id</th><th>endpoint</th><th>service</th><th>description</th></tr>
${rows}
</table>
<h2>3. Error codes</h2>
<p>Every refusal carries one of these codes (R8): in <code>application/problem+json</code> (<code>code</code>), or in the SOAP fault detail.</p>
<table><tr><th>code</th><th>HTTP</th><th>SOAP</th><th>English</th><th>Tiếng Việt</th></tr>
${errors}
</table>
</body></html>`;
}
