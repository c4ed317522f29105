import { describe, expect, it } from '@jest/globals';
import { checkSchema } from '../../../src/config/validate.js';
import { RouteSchema, type RouteDef } from '../../../src/config/schema.js';
import type { Caller, Exchange, Message } from '../../../src/message/index.js';
import type {
  EnvelopeKind,
  Envelopes,
  PipelineDeps,
  RequestBinding,
} from '../../../src/pipeline/deps.js';
import { authenticate } from '../../../src/pipeline/stages/authenticate.js';
import { authorize } from '../../../src/pipeline/stages/authorize.js';
import { PolicySnapshot } from '../../../src/policy/snapshot.js';
import { verifySignature } from '../../../src/pipeline/stages/verify-signature.js';
import { signOutbound, signReply } from '../../../src/pipeline/stages/sign.js';
import { verifyReply } from '../../../src/pipeline/stages/send.js';
import { sha256b64url } from '../../../src/security/jws.js';
import { codeOf, gatewayError } from '../../helpers/errors.js';

const EMPTY_POLICY = {
  generation: 0,
  organisation: [],
  connection: [],
  grant: [],
  client: [],
  account: [],
};

function route(patch: Record<string, unknown> = {}): RouteDef {
  const r = checkSchema(RouteSchema, {
    id: 'r',
    from: { adapter: 'http', method: 'PUT', path: '/v1/records' },
    to: { endpoint: 'e' },
    service: 's',
    ...patch,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

/** Envelopes that record what the stages asked of them. */
function recorder() {
  const calls: { op: string; args: unknown[] }[] = [];
  const envelopes: Envelopes = {
    sign: async (kind: EnvelopeKind, payload: Buffer, claims?: Record<string, unknown>) => {
      calls.push({ op: 'sign', args: [kind, payload.toString(), claims] });
      return { header: 'x-jws-signature', kid: 'k', jws: `sig-${kind}` };
    },
    verifyRequest: async (_m: Message, peer: string, b: RequestBinding) => {
      calls.push({ op: 'verifyRequest', args: [peer, b] });
      return { kid: 'k', jti: 'j', iat: 1, header: {} };
    },
    verifyReply: async (_m: Message, peer: string, digest: string) => {
      calls.push({ op: 'verifyReply', args: [peer, digest] });
      return { kid: 'k', header: {} };
    },
  };
  return { calls, envelopes };
}

const caller = (routes: Caller['routes'], clientId = 'so-tp'): Caller => ({
  clientId,
  orgId: '000.00.00.H29',
  routes,
});

function exchange(patch: Partial<Exchange> = {}): Exchange {
  return {
    id: 'ex-1',
    routeId: 'r',
    channel: 'http',
    receivedAt: 0,
    deadline: 0,
    stages: [],
    attrs: {},
    request: {
      body: { a: 1 },
      raw: Buffer.from('{"a":1}'),
      contentType: 'application/json',
      headers: {},
    },
    ...patch,
  } as Exchange;
}

function deps(o: { peers?: Record<string, string>; envelopes?: Envelopes } = {}): PipelineDeps {
  return {
    config: { tokens: { audience: 'urn:lienthong:gateway' } },
    auth: {
      authenticate: (_m: Message, ip?: string) => ({ ...caller('all'), ip }),
      peerOf: (id: string) => o.peers?.[id],
    },
    policy: new PolicySnapshot(EMPTY_POLICY),
    envelopes: o.envelopes ?? recorder().envelopes,
    endpoints: new Map([
      ['e', { verifyReplyWith: 'provider', outbound: { encode: () => undefined } }],
      ['unverified', { outbound: {} }],
    ]),
  } as unknown as PipelineDeps;
}

// R10.4, R14: the stages that decide who calls and whether what is signed is what it claims.
describe('authenticate and authorize stages', () => {
  it('are not part of a route with auth: none', () => {
    expect(authenticate.create(route({ auth: 'none' }), deps())).toBeNull();
    expect(authorize.create(route({ auth: 'none' }), deps())).toBeNull();
  });

  it('authenticate puts the caller on the exchange', () => {
    const ex = exchange({ ip: '10.0.0.9' });
    expect(authenticate.create(route(), deps())!(ex)).toEqual({
      clientId: 'so-tp',
      orgId: '000.00.00.H29',
    });
    expect(ex.caller).toMatchObject({ clientId: 'so-tp', ip: '10.0.0.9' });
  });

  it('authorize lets a caller granted the route, or all routes, through', () => {
    const stage = authorize.create(route(), deps())!;
    expect(stage(exchange({ caller: caller(new Set(['r'])) }))).toMatchObject({ allowed: true });
    expect(stage(exchange({ caller: caller('all') }))).toMatchObject({ allowed: true });
  });

  it('authorize puts the grant and the stated officer on a copy of the caller (authenticate caches one per token)', () => {
    const stage = authorize.create(route(), deps())!;
    const cached = caller('all');
    const ex = exchange({ caller: cached });
    ex.request = { ...ex.request, headers: { 'x-purpose': 'G15-TP110', 'x-officer': 'canbo01' } };
    expect(stage(ex)).toMatchObject({ allowed: true, grant: 'config:so-tp', purpose: 'G15-TP110' });
    expect(ex.caller).toMatchObject({
      officer: 'canbo01',
      grant: { source: 'config', fields: 'all' },
    });
    expect(cached.grant).toBeUndefined();
    expect(cached.officer).toBeUndefined();
  });

  it('authorize refuses a caller granted other routes only', () => {
    const stage = authorize.create(route(), deps())!;
    const err = gatewayError(() => stage(exchange({ caller: caller(new Set(['other'])) })));
    expect(err.code).toBe('LT_POLICY_ROUTE_NOT_ALLOWED');
  });

  it('authorize refuses a client without config routes whose organisation is not registered (R8)', () => {
    const stage = authorize.create(route(), deps())!;
    expect(gatewayError(() => stage(exchange({ caller: caller(new Set()) }))).code).toBe(
      'LT_POLICY_UNREGISTERED',
    );
  });
});

describe('verify-signature stage', () => {
  it('is not part of a route that does not require signed requests', () => {
    expect(verifySignature.create(route(), deps())).toBeNull();
  });

  it('binds the signature to the route’s method and path and this gateway, with the client’s JWKS', async () => {
    const r = recorder();
    const stage = verifySignature.create(
      route({ signature: { require: true } }),
      deps({ peers: { 'so-tp': 'agency-tp' }, envelopes: r.envelopes }),
    )!;
    expect(await stage(exchange({ caller: caller('all') }))).toEqual({
      kid: 'k',
      jti: 'j',
      iat: 1,
    });
    expect(r.calls).toEqual([
      {
        op: 'verifyRequest',
        args: ['agency-tp', { htm: 'PUT', htu: '/v1/records', aud: 'urn:lienthong:gateway' }],
      },
    ]);
  });

  it('binds to POST by default, and to the route id when the binding has no path', async () => {
    const r = recorder();
    const d = deps({ peers: { 'so-tp': 'p' }, envelopes: r.envelopes });
    await verifySignature.create(
      route({ from: { adapter: 'amqp' }, signature: { require: true } }),
      d,
    )!(exchange({ caller: caller('all') }));
    expect(r.calls[0].args[1]).toEqual({
      htm: 'POST',
      htu: 'urn:lienthong:route:r',
      aud: 'urn:lienthong:gateway',
    });
  });

  it('refuses a caller without a configured JWKS, and an exchange without a caller', async () => {
    const stage = verifySignature.create(route({ signature: { require: true } }), deps())!;
    expect(
      await codeOf(Promise.resolve().then(() => stage(exchange({ caller: caller('all') })))),
    ).toBe('LT_SIG_UNKNOWN_KEY');
    expect(await codeOf(Promise.resolve().then(() => stage(exchange())))).toBe(
      'LT_SIG_UNKNOWN_KEY',
    );
  });
});

describe('sign and verify-reply stages', () => {
  it('sign-outbound signs what goes to the provider as an outbound request', async () => {
    const r = recorder();
    const ex = exchange({ caller: caller('all') });
    const saw = await signOutbound.create(
      route({ signature: { signOutbound: true } }),
      deps({ envelopes: r.envelopes }),
    )!(ex);
    expect(r.calls[0]).toEqual({
      op: 'sign',
      args: ['outbound', '{"a":1}', { jti: 'ex-1', 'lt-org': '000.00.00.H29' }],
    });
    expect(ex.outbound!.headers['x-jws-signature']).toBe('sig-outbound');
    expect(saw).toEqual({ kid: 'k', digest: sha256b64url('{"a":1}') });
  });

  it('sign-reply signs the reply as a reply naming the request it answers', async () => {
    const r = recorder();
    const ex = exchange({
      reply: { body: { ok: true }, contentType: 'application/json', headers: {} },
    });
    await signReply.create(route(), deps({ envelopes: r.envelopes }))!(ex);
    expect(r.calls[0]).toEqual({
      op: 'sign',
      args: ['reply', '{"ok":true}', { jti: 'ex-1', 'lt-req': sha256b64url('{"a":1}') }],
    });
    expect(ex.reply!.headers['x-jws-signature']).toBe('sig-reply');
    expect(signReply.create(route({ signature: { signReply: false } }), deps())).toBeNull();
  });

  it('verify-reply checks the provider’s reply against the digest of what was sent', async () => {
    const r = recorder();
    const outbound = {
      body: null,
      raw: Buffer.from('<sent/>'),
      contentType: 'text/xml',
      headers: {},
    };
    const reply = {
      body: null,
      raw: Buffer.from('{}'),
      contentType: 'application/json',
      headers: {},
    };
    const saw = await verifyReply.create(route(), deps({ envelopes: r.envelopes }))!(
      exchange({ outbound, reply }),
    );
    expect(r.calls).toEqual([{ op: 'verifyReply', args: ['provider', sha256b64url('<sent/>')] }]);
    expect(saw).toEqual({ peer: 'provider', kid: 'k', valid: true });
    // Without an outbound message, what was sent is the request itself.
    const r2 = recorder();
    await verifyReply.create(route(), deps({ envelopes: r2.envelopes }))!(exchange({ reply }));
    expect(r2.calls[0].args[1]).toBe(sha256b64url('{"a":1}'));
    expect(verifyReply.create(route({ to: { endpoint: 'unverified' } }), deps())).toBeNull();
  });
});
