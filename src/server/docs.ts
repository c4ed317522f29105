import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { GatewayConfig, RouteDef } from '../config/schema.js';
import { ERRORS } from '../message/errors.js';

function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/**
 * The interactive reference is Swagger UI (swagger-ui-dist, Apache-2.0, see
 * NOTICE), served from node_modules so /docs works offline, with no CDN. Only
 * these files are served, each at a fixed path: no path from the request ever
 * reaches the file system.
 */
export const DOCS_ASSETS: readonly { path: string; file: string; type: string }[] = [
  { path: '/docs/assets/swagger-ui.css', file: 'swagger-ui.css', type: 'text/css; charset=utf-8' },
  {
    path: '/docs/assets/swagger-ui-bundle.js',
    file: 'swagger-ui-bundle.js',
    type: 'text/javascript; charset=utf-8',
  },
];

/** An asset's bytes, read once on first use (the bundle is ~1.5 MB; most gateways never serve it). */
export function docsAsset(file: string): () => Buffer {
  let bytes: Buffer | undefined;
  return () => {
    if (!bytes) {
      const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
      bytes = readFileSync(join(dir, file));
    }
    return bytes;
  };
}

/** Starts Swagger UI on /openapi.json; a file of ours rather than inline script. */
export const DOCS_INIT_JS = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#reference', deepLinking: true });
});
`;

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
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
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
<h2>3. Reference (interactive)</h2>
<div id="reference"><p>The interactive reference needs JavaScript; <a href="/openapi.json">/openapi.json</a> has the same.</p></div>
<h2>4. Error codes / Mã lỗi</h2>
<p>Every refusal carries one of these codes (R8): in <code>application/problem+json</code> (<code>code</code>), or in the SOAP fault detail.</p>
<table><tr><th>code</th><th>HTTP</th><th>SOAP</th><th>English</th><th>Tiếng Việt</th></tr>
${errors}
</table>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script>
</body></html>`;
}
