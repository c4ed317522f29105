import { Type, type Static } from '@sinclair/typebox';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { RunningSimulator } from '../../src/adapter/spec.js';
import { signCitizenAssertion } from '../../src/citizen/assertion.js';
import { readBody } from '../../src/simulator/faults.js';
import { listenSimulator } from '../../src/simulator/listen.js';
import { jwkThumbprint, type EcJwk, type Jwks, type Signer } from '../../src/security/index.js';

export const PortalSimulatorSchema = Type.Object(
  {
    issuer: Type.String({
      default: 'urn:npsp:dichvucong.gov.vn',
      description: 'iss of the assertions: the portal',
    }),
    audience: Type.String({
      default: 'urn:lienthong:gateway',
      description: 'aud of the assertions: the gateway (its tokens.audience)',
    }),
    ttlSeconds: Type.Integer({
      minimum: 10,
      maximum: 3600,
      default: 120,
      description: 'Lifetime of an assertion',
    }),
  },
  {
    additionalProperties: false,
    description: 'The public-service portal (NPSP with VNeID login), as the gateway sees it',
  },
);
export type PortalSimulatorOptions = Static<typeof PortalSimulatorSchema>;

export interface PortalSimulator extends RunningSimulator {
  readonly jwks: Jwks;
  /** What the portal signs once `citizenId` has logged in. */
  assert(citizenId: string, idp?: string): string;
}

const PERSONAL_ID = /^[0-9]{12}$/;

/**
 * The National Public Service Portal as far as citizen self-service (R4)
 * needs it: a citizen logs in (with a VNeID or portal account; here, by
 * naming an id: every citizen is fake), and the portal signs an assertion of
 * who it is (`typ: lt-citizen+jwt`, docs/limits.md) with a key generated at
 * start — nothing is committed — and publishes its JWKS, which the gateway
 * fetches as the peer of citizen routes.
 *
 * - `GET /.well-known/jwks.json`
 * - `POST /__sim/login` `{"idNumber":"…","idp":"vneid"}` → `{"assertion":"…"}`
 */
export async function startPortalSimulator(opts: {
  host?: string;
  port?: number;
  options: PortalSimulatorOptions;
}): Promise<PortalSimulator> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pub = publicKey.export({ format: 'jwk' }) as EcJwk;
  const kid = jwkThumbprint(pub);
  const signer: Signer = { kid, key: privateKey };
  const jwks: Jwks = { keys: [{ ...pub, kid, alg: 'ES256', use: 'sig' }] };
  const o = opts.options;
  const assert = (citizenId: string, idp = 'vneid') =>
    signCitizenAssertion(signer, {
      portal: o.issuer,
      citizenId,
      audience: o.audience,
      idp,
      ttlSeconds: o.ttlSeconds,
    });

  const json = (res: import('node:http').ServerResponse, status: number, value: unknown) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(value));
  };
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/.well-known/jwks.json') return json(res, 200, jwks);
    if (req.method === 'POST' && path === '/__sim/login') {
      let body: { idNumber?: unknown; idp?: unknown };
      try {
        body = JSON.parse((await readBody(req, 4096)).toString('utf8')) as typeof body;
      } catch {
        return json(res, 400, { error: 'send {"idNumber":"<12 digits>"}' });
      }
      if (typeof body?.idNumber !== 'string' || !PERSONAL_ID.test(body.idNumber))
        return json(res, 400, { error: 'idNumber must be 12 digits' });
      const idp = body.idp === 'npsp' ? 'npsp' : 'vneid';
      return json(res, 200, { assertion: assert(body.idNumber, idp), idp });
    }
    json(res, 404, { error: 'not found' });
  });
  const { url, close } = await listenSimulator(server, opts.host, opts.port);
  return { url, jwks, assert, close };
}
