import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HealthReport, InboundBinding, RunningSimulator } from '../adapter/spec.js';
import type { GatewayConfig } from '../config/schema.js';
import { GatewayError } from '../message/errors.js';
import type { CompiledRoute } from '../pipeline/runtime.js';
import type { ProtectedEndpoint } from '../pipeline/deps.js';
import type { ClientDirectory } from '../identity/bearer.js';
import type { TokenThrottle } from '../limits/token-throttle.js';
import type { KeyRing } from '../security/keyring.js';
import type { Store } from '../store/store.js';
import type { ContractRegistry } from '../validation/contracts.js';
import type { GatewayMetrics } from './metrics.js';
import { DOCS_ASSETS, DOCS_INIT_JS, docsAsset, renderDocsPage } from './docs.js';
import { buildOpenApi } from './openapi.js';
import { oauthError, problemBody } from './problem.js';
import { ERRORS, shownDetail } from '../message/errors.js';

export interface SystemDeps {
  config: GatewayConfig;
  routes: ReadonlyMap<string, CompiledRoute>;
  inbounds: readonly InboundBinding[];
  keys: KeyRing;
  auth: ClientDirectory;
  store: Store;
  endpoints: ReadonlyMap<string, ProtectedEndpoint>;
  metrics: GatewayMetrics;
  contracts: ContractRegistry;
  simulators: ReadonlyMap<string, RunningSimulator>;
  /** Failed-secret throttling of /token, asked before any secret is hashed. */
  tokenThrottle: TokenThrottle;
}

/**
 * RFC 6749 §2.3.1: Basic credentials are percent-encoded before base64. A
 * malformed escape (`%zz`, a lone `%`) is the caller's bad credential, a 401
 * like any wrong secret, not an internal error.
 */
function formDecoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new GatewayError('LT_AUTH_INVALID_CLIENT', 'the Basic credentials are not form-encoded');
  }
}

/** Client credentials from HTTP Basic (RFC 6749 §2.3.1) or, as a fallback, the form body. */
function clientCredentials(req: FastifyRequest): { id: string; secret: string } {
  const h = req.headers.authorization;
  if (h && /^Basic\s+/i.test(h)) {
    const decoded = Buffer.from(h.replace(/^Basic\s+/i, ''), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0)
      return { id: formDecoded(decoded.slice(0, i)), secret: formDecoded(decoded.slice(i + 1)) };
  }
  const form = (req.body ?? {}) as Record<string, string>;
  if (form.client_id && form.client_secret)
    return { id: form.client_id, secret: form.client_secret };
  throw new GatewayError(
    'LT_AUTH_MISSING',
    'send client id and secret with HTTP Basic authentication',
  );
}

/** Health, readiness, metrics, keys, tokens and published documentation. */
export function registerSystemRoutes(server: FastifyInstance, d: SystemDeps): void {
  server.get('/healthz', async () => ({ status: 'ok' }));

  server.get('/readyz', async (_req, reply) => {
    let store: Record<string, unknown> = { kind: d.store.kind, ok: true };
    try {
      await d.store.ping();
    } catch (err) {
      store = {
        kind: d.store.kind,
        ok: false,
        error: (err as GatewayError).code ?? 'LT_STORE_UNAVAILABLE',
      };
    }
    // Ready is the sum: the store, every inbound (not draining, consumers
    // connected) and every outbound (pool open; an open breaker is shown, not
    // counted: src/server/endpoints.ts says why).
    let ready = store.ok === true && d.routes.size > 0;
    const part = (h: HealthReport, extra?: Record<string, unknown>) => {
      ready &&= h.ok;
      return { ...extra, ok: h.ok, ...h.detail };
    };
    const inbounds = Object.fromEntries(d.inbounds.map((b) => [b.name, part(b.health())]));
    const endpoints = Object.fromEntries(
      [...d.endpoints.values()].map((e) => [e.name, part(e.health(), { adapter: e.adapter })]),
    );
    reply.code(ready ? 200 : 503);
    return {
      status: ready ? 'ready' : 'not-ready',
      store,
      routes: d.routes.size,
      inbounds,
      endpoints,
    };
  });

  server.get('/metrics', async (_req, reply) => {
    reply.type(d.metrics.registry.contentType);
    return d.metrics.registry.metrics();
  });

  server.get('/.well-known/jwks.json', async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return d.keys.publicJwks();
  });

  // OAuth2 client credentials, answered the way a WSO2 API gateway answers, so existing provincial clients work unchanged.
  server.post(
    '/token',
    {
      config: {
        challenge: 'Basic',
        refusalStage: 'token',
        renderError: (
          err: GatewayError,
          _req: FastifyRequest,
          reply: import('fastify').FastifyReply,
        ) => {
          d.metrics.tokenFailed(err.code);
          return reply
            .code(ERRORS[err.code].http)
            .header('cache-control', 'no-store')
            .type('application/json')
            .send(
              JSON.stringify({
                error: oauthError(err.code),
                error_description: shownDetail(err),
                ...problemBody(err),
              }),
            );
        },
      },
    },
    async (req, reply) => {
      const { id, secret } = clientCredentials(req);
      const form = (req.body ?? {}) as Record<string, string>;
      // Refused here, before the secret check takes the thread pool, when this
      // IP or client id has failed too often (src/limits/token-throttle.ts).
      const admission = d.tokenThrottle.admit(id, req.ip);
      let token;
      try {
        token = await d.auth.issueToken(id, secret, form.grant_type);
        admission.succeeded();
      } catch (err) {
        // Only a checked, wrong secret counts; a busy or malformed refusal hashed nothing.
        if ((err as GatewayError).code === 'LT_AUTH_INVALID_CLIENT') admission.failed();
        else admission.released();
        throw err;
      }
      d.metrics.tokenIssued(id);
      reply.header('cache-control', 'no-store');
      return token;
    },
  );

  const openapi = buildOpenApi(
    d.config,
    [...d.routes.values()].map((r) => r.def),
    d.contracts,
  );
  server.get('/openapi.json', async () => openapi);
  const page = renderDocsPage(
    d.config,
    [...d.routes.values()].map((r) => r.def),
    openapi,
  );
  server.get('/docs', async (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
  for (const a of DOCS_ASSETS) {
    const bytes = docsAsset(a.file);
    server.get(a.path, async (_req, reply) =>
      reply.type(a.type).header('cache-control', 'public, max-age=86400').send(bytes()),
    );
  }
  server.get('/docs/assets/init.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').send(DOCS_INIT_JS),
  );
}
