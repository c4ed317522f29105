/**
 * What one unauthenticated request costs the gateway, for the worst inputs
 * docs/security.md names: each is sent `N` times, one at a time, to a gateway
 * in its own process, and the gateway's CPU (utime + stime from /proc, so GC
 * and the thread pool count too) is divided by N. Prints a markdown table
 * for docs/security.md. Brief by design (a few seconds); pin it to one core:
 *
 *   taskset -c 1 npx tsx bench/unauth-budget.ts [--root <checkout>]
 *
 * BUDGET_ONLY=<regex> keeps the cases whose name matches (e.g. to measure an
 * older checkout without the inputs that would take it down).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { rawRequest } from '../test/helpers/http.js';
import { cpuMicros, launch } from './launch.js';

const N = Number(process.env.BUDGET_N ?? 20);
const rootArg = process.argv.indexOf('--root');
const root = rootArg > 0 ? process.argv[rootArg + 1] : new URL('..', import.meta.url).pathname;
const MB = 1 << 20;

interface Case {
  name: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

const xml = (s: string) => Buffer.from(s);
const soap = (body: Buffer): Omit<Case, 'name'> => ({
  method: 'POST',
  path: '/npd',
  headers: { 'content-type': 'text/xml; charset=utf-8' },
  body,
});
const json = (text: string, extra: Record<string, string> = {}): Omit<Case, 'name'> => ({
  method: 'POST',
  path: '/v1/connection-test',
  headers: { 'content-type': 'application/json', ...extra },
  body: Buffer.from(text),
});
/** Units of `unit` between `open` and `close`, as many as fit in `bytes`. */
const fill = (open: string, unit: string, close: string, bytes = MB - 64) =>
  open + unit.repeat(Math.floor((bytes - open.length - close.length) / unit.length)) + close;

const attrs256 = Array.from({ length: 255 }, (_, i) => ` a${i}="${'&#x41;'.repeat(8)}"`).join('');
const CASES: Case[] = [
  { name: 'GET /healthz (floor)', path: '/healthz' },
  {
    name: 'GET /npd?wsdl, Host a host name',
    path: '/npd?wsdl',
    headers: { host: 'gw.example.vn' },
  },
  { name: "GET /npd?wsdl, Host $' ×1000", path: '/npd?wsdl', headers: { host: "$'".repeat(1000) } },
  {
    name: 'POST /token, known id, wrong secret (one scrypt)',
    method: 'POST',
    path: '/token',
    headers: {
      authorization: `Basic ${Buffer.from('demo:wrong').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: Buffer.from('grant_type=client_credentials'),
  },
  {
    name: 'POST /token, 3,000 gzip codings (15 KB header), 1 MB body',
    method: 'POST',
    path: '/token',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-encoding': Array(3000).fill('gzip').join(','),
    },
    body: randomBytes(MB - 1024),
  },
  {
    name: 'gzip bomb, one layer (1 KB → 1 GB), stops at 1 MB',
    ...json('', { 'content-encoding': 'gzip' }),
    body: gzipSync(Buffer.alloc(1024 * MB), { level: 9 }),
  },
  {
    name: 'gzip of 1 MB random (stored), decoded then refused as JSON',
    ...json('', { 'content-encoding': 'gzip' }),
    body: gzipSync(randomBytes(MB - 1024), { level: 0 }),
  },
  { name: 'SOAP: 1 MB of <b/> (262k elements)', ...soap(xml(fill('<a>', '<b/>', '</a>'))) },
  {
    name: 'SOAP: 9,600 elements of character references (within maxNodes)',
    ...soap(xml(fill('<a>', `<b>${'&#x41;'.repeat(17)}</b>`, '</a>'))),
  },
  {
    name: 'SOAP: 39 elements × 256 attributes of references (within maxNodes)',
    ...soap(xml(`<a>${`<b${attrs256}/>`.repeat(39)}${'&#x41;'.repeat(80_000)}</a>`)),
  },
  {
    name: 'SOAP: 1 MB text of character references in one element',
    ...soap(xml(fill('<a>', '&#x41;', '</a>'))),
  },
  {
    name: 'SOAP: 1 MB comments',
    ...soap(xml(fill('<a>', '<!---->', '</a>'))),
  },
  { name: 'JSON: 1 MB of [ (500k deep)', ...json('['.repeat(MB / 2) + ']'.repeat(MB / 2)) },
  {
    name: 'JSON: 70,000 keys in one object',
    ...json('{' + Array.from({ length: 70_000 }, (_, i) => `"k${i}":1`).join(',') + '}'),
  },
  {
    name: 'JSON: 4,700 keys of 210-char escaped strings (within maxJsonNodes)',
    ...json(
      '{' +
        Array.from({ length: 4700 }, (_, i) => `"k${i}":"${'\\u00e9'.repeat(35)}"`).join(',') +
        '}',
    ),
  },
  {
    name: 'JSON: 1 MB of arrays nested 8 deep (refused at maxJsonNodes)',
    ...json(fill('[', '[[[[[[[[]]]]]]]],', '[]]')),
  },
  { name: 'JSON: one 1 MB string of \\u escapes', ...json(fill('["', '\\u00e9', '"]')) },
  {
    name: 'JSON: 1 MB, a key repeated 4,900 times',
    ...json(
      '{' +
        Array(4900)
          .fill(`"k":"${'x'.repeat(200)}"`)
          .join(',') +
        '}',
    ),
  },
];

async function send(url: URL, c: Case): Promise<{ status: number; bytes: number; code?: string }> {
  const { status, text } = await rawRequest(url, c);
  const code = /"code":"(LT_[A-Z_]+)"/.exec(text)?.[1] ?? /<lt:code>(LT_[A-Z_]+)</.exec(text)?.[1];
  return { status, bytes: text.length, code };
}

const children: ChildProcess[] = [];
try {
  const { url, child } = await launch(children, root, 'bench/procs/gateway.ts', {
    BENCH_LOG_LEVEL: 'silent',
  });
  const base = new URL(url);
  console.log(`| request (unauthenticated) | sent | answer | answer size | CPU per request |`);
  console.log(`| --- | --- | --- | --- | --- |`);
  const only = process.env.BUDGET_ONLY ? new RegExp(process.env.BUDGET_ONLY) : undefined;
  for (const c of CASES.filter((k) => !only || only.test(k.name))) {
    await send(base, c); // warm-up
    const before = cpuMicros(child.pid!);
    let last = { status: 0, bytes: 0 } as Awaited<ReturnType<typeof send>>;
    for (let i = 0; i < N; i++) last = await send(base, c);
    const ms = (cpuMicros(child.pid!) - before) / N / 1000;
    const sent = (c.body?.length ?? 0) + Object.values(c.headers ?? {}).join('').length;
    console.log(
      `| ${c.name} | ${(sent / 1024).toFixed(0)} KB | ${last.status} ${last.code ?? ''} | ${last.bytes} B | ${ms.toFixed(1)} ms |`,
    );
  }
} finally {
  for (const ch of children) ch.kill('SIGTERM');
}
