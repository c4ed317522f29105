/** What `npm run bench` measures: one entry per path, each with its bare baseline(s). */

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
  /** Minimum ratio subject/baseline the issue asks for, by baseline name. */
  target?: Record<string, number>;
  setup(ctx: BenchContext): Promise<{ subject: Target; baselines: Target[] }>;
  teardown?(): Promise<void>;
}

async function token(gateway: string): Promise<string> {
  const res = await fetch(`${gateway}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('demo:demo-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  return ((await res.json()) as { access_token: string }).access_token;
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

/** A ~1 KB JSON body, as the issue asks. */
function oneKbJson(): Buffer {
  const base = { message: '', reference: 'bench-0001' };
  base.message = 'x'.repeat(1024 - JSON.stringify(base).length);
  return Buffer.from(JSON.stringify(base));
}

const connectionTest: Scenario = {
  name: 'connection-test',
  description:
    'POST /v1/connection-test, full pipeline (token auth, authorize, validate, sign, send via breaker, verify reply, validate, report, sign reply) vs a bare Node HTTP proxy to the same provider',
  target: { 'bare-node-proxy': 0.4 },
  async setup(ctx) {
    const provider = await ctx.startProcess('bench/procs/provider.ts');
    const overrides = {
      simulators: [],
      peers: { 'test-provider': { jwksUrl: `${provider}/.well-known/jwks.json` } },
      endpoints: { 'test-provider': { simulator: null, url: provider } },
    };
    const gateway = await ctx.startProcess('bench/procs/gateway.ts', {
      GATEWAY_OVERRIDES: JSON.stringify(overrides),
    });
    const proxy = await ctx.startProcess('bench/procs/bare-proxy.ts', {
      TARGET_URL: provider,
      TARGET_PATH: '/echo',
    });
    const body = oneKbJson();
    const t = await token(gateway);
    return {
      subject: target(
        'lienthong connection-test',
        `${gateway}/v1/connection-test`,
        body,
        { 'content-type': 'application/json', authorization: `Bearer ${t}` },
        (s, x) => s === 200 && x.includes('"ok":true'),
      ),
      baselines: [
        target(
          'bare-node-proxy',
          `${proxy}/`,
          body,
          { 'content-type': 'application/json' },
          (s, x) => s === 200 && x.includes('receivedDigest'),
        ),
      ],
    };
  },
};

export const scenarios: Scenario[] = [connectionTest];
