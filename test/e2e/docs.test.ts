// R3: the published documentation. /openapi.json is a valid OpenAPI 3.1
// document (every $ref resolves), and /docs is an interactive reference that
// needs nothing from another host.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import SwaggerParser from '@apidevtools/swagger-parser';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ERRORS } from '../../src/message/errors.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
let doc: any;
beforeAll(async () => {
  gw = await startTestGateway();
  doc = await (await fetch(`${gw.url}/openapi.json`)).json();
});
afterAll(async () => {
  await gw?.stop();
});

describe('/openapi.json', () => {
  it('validates as OpenAPI 3.1 with every $ref resolved (swagger-parser)', async () => {
    expect(doc.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.every((r) => r.startsWith('"$ref":"#/'))).toBe(true);
  });

  it('lists /token and the system endpoints', () => {
    expect(doc.paths['/token'].post.requestBody.content).toHaveProperty(
      'application/x-www-form-urlencoded',
    );
    expect(doc.paths['/token'].post.security).toEqual([{ clientBasic: [] }]);
    for (const p of ['/healthz', '/readyz', '/metrics', '/.well-known/jwks.json'])
      expect(doc.paths[p].get.responses['200']).toBeDefined();
  });

  it('documents each error status of a route with an example per code', () => {
    const responses = doc.paths['/v1/npd/citizens/lookup'].post.responses;
    for (const code of [
      'LT_AUTH_MISSING',
      'LT_CONTRACT_REQUEST',
      'LT_NPD_NOT_FOUND',
      'LT_BREAKER_OPEN',
    ] as const) {
      const status = String(ERRORS[code].http);
      const example = responses[status].content['application/problem+json'].examples[code];
      expect(example.value).toMatchObject({ code, status: ERRORS[code].http });
    }
    // A route without signatures does not list signature refusals.
    expect(JSON.stringify(doc.paths['/v1/connection-test'].post.responses)).not.toContain(
      'LT_SIG_',
    );
  });

  it('gives each SOAP operation of /npd its entry and a request example', () => {
    const post = doc.paths['/npd'].post;
    const ops = post['x-lienthong-soap-operations'].map((o: { operation: string }) => o.operation);
    expect(ops).toEqual(
      expect.arrayContaining([
        'TraCuuThongTinCongDan',
        'XacThucThongTinCongDan',
        'CungCapThongTinHoGiaDinh',
      ]),
    );
    expect(Object.keys(post.requestBody.content['text/xml'].examples).sort()).toEqual(
      [...ops].sort(),
    );
    expect(post.responses['500'].content['text/xml'].examples.LT_XML_DTD_FORBIDDEN.value).toContain(
      'LT_XML_DTD_FORBIDDEN',
    );
  });
});

describe('/docs', () => {
  it('is an interactive reference from local assets only, with the bilingual error table', async () => {
    const res = await fetch(`${gw.url}/docs`);
    const html = await res.text();
    const srcs = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(srcs).toEqual(
      expect.arrayContaining([
        '/docs/assets/swagger-ui-bundle.js',
        '/docs/assets/swagger-ui.css',
        '/docs/assets/init.js',
      ]),
    );
    expect(srcs.filter((s) => /^(https?:)?\/\//.test(s))).toEqual([]);
    expect(html).toContain(ERRORS.LT_BREAKER_OPEN.vi);
    expect(html).toContain(ERRORS.LT_BREAKER_OPEN.en);

    const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
    const bundle = await fetch(`${gw.url}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(
      Buffer.from(await bundle.arrayBuffer()).equals(
        readFileSync(join(dist, 'swagger-ui-bundle.js')),
      ),
    ).toBe(true);
    expect((await fetch(`${gw.url}/docs/assets/swagger-ui.css`)).status).toBe(200);
    expect(await (await fetch(`${gw.url}/docs/assets/init.js`)).text()).toContain(
      "url: '/openapi.json'",
    );
  });

  it('serves no other file: no path from the request reaches the file system', async () => {
    for (const p of [
      '/docs/assets/package.json',
      '/docs/assets/..%2f..%2fpackage.json',
      '/docs/assets/index.html',
    ])
      expect((await fetch(`${gw.url}${p}`)).status).toBe(404);
  });
});
