import { Type, type Static } from '@sinclair/typebox';
import { createServer, type Server } from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { RunningSimulator } from '../../src/adapter/spec.js';
import { FaultInjector, FaultsSchema, cutOff, readBody } from '../../src/simulator/faults.js';
import { listenSimulator } from '../../src/simulator/listen.js';
import {
  jwkThumbprint,
  PeerKeys,
  sha256b64url,
  TYP,
  signDetached,
  type EcJwk,
  type Jwks,
  type Signer,
} from '../../src/security/index.js';
import { verifyOutbound } from '../../src/security/envelope.js';

export const TestProviderSchema = Type.Object(
  {
    faults: Type.Optional(Type.Partial(FaultsSchema)),
  },
  { additionalProperties: false },
);
export type TestProviderOptions = Static<typeof TestProviderSchema>;

export interface TestProvider extends RunningSimulator {
  readonly faults: FaultInjector;
  readonly jwks: Jwks;
}

/**
 * The built-in test provider behind the connection test (R3): it echoes what
 * it received, checks the gateway's signature (typ lt-out+jws) when it knows
 * the gateway's JWKS, and signs its own reply (published at
 * /.well-known/jwks.json) the way docs/signatures.md asks a provider to —
 * typ lt-reply+jws, iat, and lt-req naming the request it answers — so the
 * gateway's verify stage has something real to verify. Its faults make the
 * breaker observable: POST /__sim/faults {"errorRate":1}.
 */
export async function startTestProvider(opts: {
  host?: string;
  port?: number;
  options?: TestProviderOptions;
  gatewayJwks?: () => Jwks | undefined;
}): Promise<TestProvider> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pub = publicKey.export({ format: 'jwk' }) as EcJwk;
  const kid = jwkThumbprint(pub);
  const signer: Signer = { kid, key: privateKey };
  const jwks: Jwks = { keys: [{ ...pub, kid, alg: 'ES256', use: 'sig' }] };
  const faults = new FaultInjector(opts.options?.faults ?? {});
  let gatewayKeys: PeerKeys | undefined;

  const server: Server = createServer(async (req, res) => {
    let body: Buffer;
    try {
      body = await readBody(req, 2 * 1024 * 1024);
    } catch {
      res.statusCode = 413;
      res.end();
      return;
    }
    if (faults.handleControl(req, res, body)) return;
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/.well-known/jwks.json') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(jwks));
      return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      res.end('ok');
      return;
    }
    const fault = await faults.decide(path);
    if (fault === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault === 'error' || fault === 'fault') {
      res.statusCode = 500;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error: 'injected fault' }));
      return;
    }
    let echo: unknown = null;
    try {
      echo = body.length ? JSON.parse(body.toString('utf8')) : null;
    } catch {
      echo = { unparsed: body.length };
    }
    const sigHeader = req.headers['x-jws-signature'];
    let signature: Record<string, unknown> = { present: typeof sigHeader === 'string' };
    if (typeof sigHeader === 'string') {
      const known = opts.gatewayJwks?.();
      if (known && !gatewayKeys) gatewayKeys = new PeerKeys(known, 'gateway JWKS');
      if (gatewayKeys) {
        try {
          const h = verifyOutbound(sigHeader, body, gatewayKeys.resolve);
          signature = { present: true, valid: true, kid: h.kid };
        } catch (err) {
          signature = { present: true, valid: false, code: (err as { code?: string }).code };
        }
      }
    }
    const text = JSON.stringify({
      provider: 'lienthong test provider',
      path,
      receivedAt: new Date().toISOString(),
      receivedBytes: body.length,
      receivedDigest: sha256b64url(body),
      signature,
      echo,
    });
    const reply = Buffer.from(fault === 'garbage' ? cutOff(text) : text);
    res.setHeader('content-type', 'application/json');
    res.setHeader(
      'x-jws-signature',
      signDetached(
        reply,
        {
          typ: TYP.reply,
          iat: Math.floor(Date.now() / 1000),
          jti: randomUUID(),
          'lt-req': sha256b64url(body),
        },
        signer,
      ),
    );
    res.end(reply);
  });
  const { url, close } = await listenSimulator(server, opts.host, opts.port);
  return { url, faults, jwks, close };
}
