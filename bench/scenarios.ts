/** What `npm run bench` measures: one entry per path, each with its bare baseline(s). */
import { TRACUU, TRACUU_XROAD } from './fixtures.js';
import { demoToken } from './launch.js';
import { farSideOverrides } from './example-overrides.js';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Throws unless one request gets the expected answer. */
  check(): Promise<void>;
}

export interface BenchContext {
  startProcess(script: string, env?: Record<string, string>): Promise<string>;
}

export interface Scenario {
  name: string;
  description: string;
  /** Minimum ratio subject/baseline the issues ask for, by baseline name. */
  target?: Record<string, number>;
  /** `ctx` starts processes of the scenario's own (gateways with other settings). */
  setup(env: Environment, ctx: BenchContext): Promise<{ subject: Target; baselines: Target[] }>;
}

/** The processes every scenario shares: providers, the gateway, the baselines. */
export interface Environment {
  gateway: string;
  token: string;
  provider: string;
  npd: string;
  proxyToProvider: string;
  proxyToNpd: string;
  soapPackage: string;
  /** The X-Road security-server simulator in front of the NPD, and a bare proxy to it. */
  securityServer: string;
  proxyToSecurityServer: string;
  citizenId: string;
}

export async function startEnvironment(ctx: BenchContext): Promise<Environment> {
  const provider = await ctx.startProcess('bench/procs/provider.ts');
  const npd = await ctx.startProcess('bench/procs/npd-sim.ts');
  const securityServer = await ctx.startProcess('bench/procs/ndxp-sim.ts', { TARGET_URL: npd });
  const overrides = farSideOverrides({ provider, npd, securityServer }, ROOT);
  const gateway = await ctx.startProcess('bench/procs/gateway.ts', {
    GATEWAY_OVERRIDES: JSON.stringify(overrides),
  });
  const proxyToProvider = await ctx.startProcess('bench/procs/bare-proxy.ts', {
    TARGET_URL: provider,
    TARGET_PATH: '/echo',
  });
  const proxyToNpd = await ctx.startProcess('bench/procs/bare-proxy.ts', {
    TARGET_URL: npd,
    TARGET_PATH: '/npd',
    TARGET_CONTENT_TYPE: 'text/xml; charset=utf-8',
  });
  const soapPackage = await ctx.startProcess('bench/procs/soap-package-server.ts', {
    TARGET_URL: `${npd}/npd`,
  });
  const proxyToSecurityServer = await ctx.startProcess('bench/procs/bare-proxy.ts', {
    TARGET_URL: securityServer,
    TARGET_PATH: '/',
    TARGET_CONTENT_TYPE: 'text/xml; charset=utf-8',
  });
  const token = await demoToken(gateway);
  const list = (await (await fetch(`${npd}/__sim/citizens?limit=1&status=1`)).json()) as {
    items: { idNumber: string }[];
  };
  return {
    gateway,
    token,
    provider,
    npd,
    proxyToProvider,
    proxyToNpd,
    soapPackage,
    securityServer,
    proxyToSecurityServer,
    citizenId: list.items[0].idNumber,
  };
}

function target(
  name: string,
  url: string,
  body: Buffer,
  headers: Record<string, string>,
  expect: (status: number, text: string) => boolean,
): Target {
  return {
    name,
    url,
    body,
    headers,
    async check() {
      const res = await fetch(url, { method: 'POST', headers, body });
      const text = await res.text();
      if (!expect(res.status, text))
        throw new Error(`${name}: unexpected answer ${res.status} ${text.slice(0, 300)}`);
    },
  };
}

/** A ~1 KB JSON body, as the foundation issue asks. */
function oneKbJson(): Buffer {
  const base = { message: '', reference: 'bench-0001' };
  base.message = 'x'.repeat(1024 - JSON.stringify(base).length);
  return Buffer.from(JSON.stringify(base));
}

const XML = { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' };

export const scenarios: Scenario[] = [
  {
    name: 'connection-test',
    description:
      'POST /v1/connection-test, full pipeline (token auth, authorize, validate, sign, send via breaker, verify reply, validate, report, sign reply) vs a bare Node HTTP proxy to the same provider',
    target: { 'bare-node-proxy': 0.4 },
    async setup(env) {
      const body = oneKbJson();
      return {
        subject: target(
          'lienthong connection-test',
          `${env.gateway}/v1/connection-test`,
          body,
          { 'content-type': 'application/json', authorization: `Bearer ${env.token}` },
          (s, x) => s === 200 && x.includes('"ok":true'),
        ),
        baselines: [
          target(
            'bare-node-proxy',
            `${env.proxyToProvider}/`,
            body,
            { 'content-type': 'application/json' },
            (s, x) => s === 200 && x.includes('receivedDigest'),
          ),
        ],
      };
    },
  },
  {
    name: 'npd-json-facade',
    description:
      'POST /v1/npd/citizens/lookup: JSON in, contract + CCCD check, NPD SOAP out with C06 headers, reply XSD-free parse to the canonical citizen, admin-unit translation, signed reply — vs a bare proxy forwarding a ready-made SOAP request to the same NPD simulator',
    async setup(env) {
      const body = Buffer.from(
        JSON.stringify({ serviceCode: 'G15-TP110', officer: 'canbo01', idNumber: env.citizenId }),
      );
      return {
        subject: target(
          'lienthong npd json facade',
          `${env.gateway}/v1/npd/citizens/lookup`,
          body,
          { 'content-type': 'application/json', authorization: `Bearer ${env.token}` },
          (s, x) => s === 200 && x.includes(env.citizenId),
        ),
        baselines: [
          target(
            'bare-node-proxy (SOAP)',
            `${env.proxyToNpd}/`,
            Buffer.from(TRACUU(env.citizenId)),
            XML,
            (s, x) => s === 200 && x.includes(env.citizenId),
          ),
        ],
      };
    },
  },
  {
    name: 'npd-soap-facade',
    description:
      'POST /npd SOAP pass-through: hardened parse, operation routing, token auth, XSD validation of request and reply, NPD call with C06 headers, signed reply — vs a bare proxy and vs a `soap`-package server doing the same work',
    target: { 'soap-package server': 3 },
    async setup(env) {
      const body = Buffer.from(TRACUU(env.citizenId));
      const ok = (s: number, x: string) => s === 200 && x.includes(env.citizenId);
      return {
        subject: target(
          'lienthong npd soap facade',
          `${env.gateway}/npd`,
          body,
          { ...XML, authorization: `Bearer ${env.token}` },
          ok,
        ),
        baselines: [
          target('bare-node-proxy (SOAP)', `${env.proxyToNpd}/`, body, XML, ok),
          target('soap-package server', env.soapPackage, body, XML, ok),
        ],
      };
    },
  },
  {
    name: 'npd-ndxp',
    description:
      'POST /v1/ndxp/npd/citizens/lookup: the NPD lookup through NDXP — JSON in, contract + CCCD check, NPD SOAP with the X-Road header to the security-server simulator, its answer\u2019s headers and requestHash checked, canonical citizen, signed reply — vs a bare proxy forwarding a ready-made X-Road request through the same security-server simulator',
    target: { 'bare-node-proxy (X-Road)': 0.45 },
    async setup(env) {
      const body = Buffer.from(
        JSON.stringify({ serviceCode: 'G15-TP110', officer: 'canbo01', idNumber: env.citizenId }),
      );
      return {
        subject: target(
          'lienthong npd through ndxp',
          `${env.gateway}/v1/ndxp/npd/citizens/lookup`,
          body,
          { 'content-type': 'application/json', authorization: `Bearer ${env.token}` },
          (s, x) => s === 200 && x.includes(env.citizenId),
        ),
        baselines: [
          target(
            'bare-node-proxy (X-Road)',
            `${env.proxyToSecurityServer}/`,
            Buffer.from(TRACUU_XROAD(env.citizenId)),
            XML,
            (s, x) => s === 200 && x.includes(env.citizenId) && x.includes('requestHash'),
          ),
        ],
      };
    },
  },
  ...(['sqlite', 'postgres'] as const).map((store): Scenario => ({
    name: `audit-${store}`,
    description: `POST /v1/connection-test with the sharing log on (audit: required, the answer waits for its record's group commit) vs the same gateway with the log off, store and log on ${store}`,
    target: { 'sharing log off': 0.85 },
    async setup(env, ctx) {
      const pgEnv: Record<string, string> =
        store === 'postgres'
          ? { BENCH_PG_URL: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' }
          : {};
      const overrides = JSON.stringify(
        farSideOverrides({ provider: env.provider, npd: env.npd }, ROOT),
      );
      const on = await ctx.startProcess('bench/procs/gateway.ts', {
        GATEWAY_OVERRIDES: overrides,
        BENCH_AUDIT: 'required',
        ...pgEnv,
      });
      const off = await ctx.startProcess('bench/procs/gateway.ts', {
        GATEWAY_OVERRIDES: overrides,
        BENCH_AUDIT: 'off',
        ...pgEnv,
      });
      const body = oneKbJson();
      const ok = (s: number, x: string) => s === 200 && x.includes('"ok":true');
      const at = async (name: string, url: string) =>
        target(
          name,
          `${url}/v1/connection-test`,
          body,
          {
            'content-type': 'application/json',
            authorization: `Bearer ${await demoToken(url)}`,
          },
          ok,
        );
      return {
        subject: await at(`sharing log on (${store})`, on),
        baselines: [await at('sharing log off', off)],
      };
    },
  })),
];
