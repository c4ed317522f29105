import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { GatewayError } from '../../../src/message/errors.js';
import type { Message } from '../../../src/message/index.js';
import type { Store } from '../../../src/store/store.js';
import { issueAccessToken, verifyAccessToken } from '../../../src/security/access-token.js';
import { EnvelopeService, verifyOutbound } from '../../../src/security/envelope.js';
import { sha256b64url, signDetached } from '../../../src/security/jws.js';
import { KeyRing } from '../../../src/security/keyring.js';
import { PeerKeys } from '../../../src/security/peer-keys.js';
import { TYP } from '../../../src/security/purposes.js';
import { tempDir } from './helpers.js';

type Purpose = 'token' | 'request' | 'reply' | 'outbound';
/** A signature as it could be presented: detached over `body`, or compact with `body` as payload. */
interface Made {
  detached: string;
  body: Buffer;
}
const compact = (m: Made) => {
  const [h, , s] = m.detached.split('.');
  return `${h}.${m.body.toString('base64url')}.${s}`;
};

// RFC 8725 §3.11: for every pair of purposes, one purpose's signature is refused where the other's is expected.
describe('a signature made for one purpose is refused for every other', () => {
  let ring: KeyRing;
  let cleanup: () => Promise<void>;
  let made: Record<Purpose, Made>;
  let verifiers: Record<Purpose, (m: Made) => Promise<unknown>>;
  const id = { issuer: 'lienthong', audience: 'urn:lienthong:gateway' };
  const binding = { htm: 'POST', htu: '/v1/connection-test/signed', aud: id.audience };
  const sent = sha256b64url('what the gateway sent the provider');

  beforeAll(async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    ring = await KeyRing.load({ file: join(t.dir, 'jwks.json'), generateIfMissing: true });
    const seen = new Set<string>();
    const store = {
      rememberOnce: async (ns: string, k: string) => !seen.has(ns + k) && !!seen.add(ns + k),
    } as unknown as Store;
    // The loopback worst case: the caller's and the provider's JWKS are the gateway's own.
    const svc = new EnvelopeService(
      ring,
      new Map([['self', ring.resolver('envelope')]]),
      store,
      300,
    );

    // Every signature carries what every verifier asks for, so only its purpose can refuse it:
    // the body is a valid set of token claims, the headers bind a request and answer one.
    const token = issueAccessToken(ring.signer('token'), id, { id: 'demo', orgId: 'o' }, 600);
    const [th, tp, ts] = token.split('.');
    const body = Buffer.from(tp, 'base64url');
    const context = (jti: string) => ({ jti, ...binding, 'lt-req': sent });
    made = {
      token: { detached: `${th}..${ts}`, body },
      request: {
        detached: signDetached(
          body,
          { typ: TYP.request, iat: Math.floor(Date.now() / 1000), ...context('r') },
          ring.signer('envelope'),
        ),
        body,
      },
      reply: { detached: (await svc.sign('reply', body, context('p'))).jws, body },
      outbound: { detached: (await svc.sign('outbound', body, context('o'))).jws, body },
    };
    const published = new PeerKeys(ring.publicJwks()).resolve;
    const msg = (m: Made): Message => ({
      body: null,
      raw: m.body,
      contentType: 'application/json',
      headers: { 'x-jws-signature': m.detached },
    });
    verifiers = {
      token: async (m) => verifyAccessToken(compact(m), ring.resolver('token'), id),
      request: (m) => svc.verifyRequest(msg(m), 'self', binding),
      reply: (m) => svc.verifyReply(msg(m), 'self', sent),
      outbound: async (m) => verifyOutbound(m.detached, m.body, published),
    };
  });
  afterAll(() => cleanup());

  /** The refusal as code/why: the reason a token was refused, the cause a provider reply was. */
  async function outcome(p: Promise<unknown>): Promise<string> {
    try {
      await p;
      return 'accepted';
    } catch (err) {
      expect(err).toBeInstanceOf(GatewayError);
      const e = err as GatewayError;
      const why = e.data?.reason ?? e.data?.cause;
      return why ? `${e.code}/${String(why)}` : e.code;
    }
  }

  const purposes: Purpose[] = ['token', 'request', 'reply', 'outbound'];
  it.each(purposes)('a %s signature is accepted where a %s is expected', async (p) => {
    expect(await outcome(verifiers[p](made[p]))).toBe('accepted');
  });

  const expected: Record<Purpose, Partial<Record<Purpose, string>>> = {
    // Envelopes are made with envelope keys, which the token verifier does not know.
    token: {
      request: 'LT_AUTH_TOKEN_INVALID/LT_SIG_UNKNOWN_KEY',
      reply: 'LT_AUTH_TOKEN_INVALID/LT_SIG_UNKNOWN_KEY',
      outbound: 'LT_AUTH_TOKEN_INVALID/LT_SIG_UNKNOWN_KEY',
    },
    // Tokens are made with token keys, which no envelope verifier knows (nor are they published).
    request: {
      token: 'LT_SIG_UNKNOWN_KEY',
      reply: 'LT_SIG_WRONG_TYPE',
      outbound: 'LT_SIG_WRONG_TYPE',
    },
    reply: {
      token: 'LT_UPSTREAM_SIG_INVALID/LT_SIG_UNKNOWN_KEY',
      request: 'LT_UPSTREAM_SIG_INVALID/LT_SIG_WRONG_TYPE',
      outbound: 'LT_UPSTREAM_SIG_INVALID/LT_SIG_WRONG_TYPE',
    },
    outbound: {
      token: 'LT_SIG_UNKNOWN_KEY',
      request: 'LT_SIG_WRONG_TYPE',
      reply: 'LT_SIG_WRONG_TYPE',
    },
  };
  const pairs = purposes.flatMap((want) =>
    purposes.filter((given) => given !== want).map((given) => [given, want] as const),
  );
  it.each(pairs)('a %s signature is refused where a %s is expected', async (given, want) => {
    expect(await outcome(verifiers[want](made[given]))).toBe(expected[want][given]);
  });
});
