import type { ClientConfig } from '../config/schema.js';
import { GatewayError, fail } from '../message/errors.js';
import type { Caller, Message } from '../message/index.js';
import type { Authenticator } from '../pipeline/deps.js';
import {
  issueAccessToken,
  verifyAccessToken,
  verifySecret,
  type KeyRing,
  type TokenIdentity,
} from '../security/index.js';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

interface CachedCaller {
  caller: Caller;
  expMs: number;
}

/** Verified tokens are remembered so the ES256 check runs once per token, not per request. */
const CACHE_LIMIT = 10_000;

/** What identity needs of a client: its credential, organisation and what it is. */
export type Credential = Pick<ClientConfig, 'id' | 'orgId' | 'secretHash' | 'routes'> &
  Partial<Pick<ClientConfig, 'jwks' | 'roles'>> & { subsystem?: string };

/**
 * Who is calling, by bearer token (src/identity: identity; src/policy decides
 * what the caller may do). Clients are the config's `clients:` and, behind
 * them, the ones registered in the policy model (`registered`, a look-up in
 * the policy snapshot), with their OAuth2 client-credentials tokens. Tokens are
 * RFC 9068 access tokens (`typ: at+jwt`, `aud` this gateway) signed with the
 * key ring's token keys, so every gateway instance sharing the key file
 * accepts them: no token table, no sticky sessions.
 */
export class ClientDirectory implements Authenticator {
  private readonly byId: Map<string, Credential>;
  private readonly cache = new Map<string, CachedCaller>();
  /** Secret checks running now, against opts.maxConcurrentSecretChecks. */
  private checking = 0;

  constructor(
    clients: ClientConfig[],
    private readonly keys: KeyRing,
    private readonly opts: {
      ttlSeconds: number;
      maxConcurrentSecretChecks: number;
    } & TokenIdentity,
    /** Clients registered in the policy model; config clients of the same id win. */
    private readonly registered: (id: string) => Credential | undefined = () => undefined,
  ) {
    this.byId = new Map(clients.map((c) => [c.id, c]));
  }

  get demoClients(): string[] {
    return [...this.byId.values()].filter((c) => (c as ClientConfig).demo).map((c) => c.id);
  }

  /** POST /token: client credentials → access token (WSO2-compatible answer). */
  async issueToken(
    clientId: string,
    secret: string,
    grantType: string | undefined,
  ): Promise<TokenResponse> {
    if (grantType !== 'client_credentials') {
      fail(
        'LT_AUTH_UNSUPPORTED_GRANT',
        `grant_type must be client_credentials, got "${grantType ?? ''}"`,
      );
    }
    const client = this.find(clientId);
    // A check is the costliest thing an unauthenticated caller can ask for, on
    // the thread pool the pipeline signs with: beyond the bound it is refused,
    // not queued (a token lives an hour; a client asks rarely).
    if (this.checking >= this.opts.maxConcurrentSecretChecks)
      fail('LT_AUTH_BUSY', 'too many token requests at once; retry in a moment');
    this.checking++;
    let ok: boolean;
    try {
      // Hash even for unknown ids, so the answer time does not reveal which ids exist.
      ok = await verifySecret(secret, client?.secretHash ?? DUMMY_HASH);
    } finally {
      this.checking--;
    }
    if (!client || !ok) fail('LT_AUTH_INVALID_CLIENT', 'client id or secret is wrong');
    const token = issueAccessToken(
      this.keys.signer('token'),
      this.opts,
      client,
      this.opts.ttlSeconds,
    );
    return {
      access_token: token,
      token_type: 'Bearer',
      expires_in: this.opts.ttlSeconds,
      scope: 'default',
    };
  }

  authenticate(msg: Message, ip?: string): Caller {
    const header = msg.headers.authorization;
    if (!header)
      fail('LT_AUTH_MISSING', 'send Authorization: Bearer <token> (get one from POST /token)');
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) fail('LT_AUTH_MISSING', 'Authorization must use the Bearer scheme');
    const token = m[1];
    const now = Date.now();
    const hit = this.cache.get(token);
    if (hit) {
      if (hit.expMs > now) return ip ? { ...hit.caller, ip } : hit.caller;
      this.cache.delete(token);
      fail('LT_AUTH_TOKEN_EXPIRED', 'request a new token from POST /token');
    }
    const claims = verifyAccessToken(token, this.keys.resolver('token'), this.opts, now);
    const client = this.find(claims.sub);
    if (!client)
      throw new GatewayError('LT_AUTH_TOKEN_INVALID', 'token names an unknown client', {
        reason: 'sub',
      });
    const caller: Caller = {
      clientId: client.id,
      orgId: client.orgId,
      routes: client.routes.includes('*') ? 'all' : new Set(client.routes),
      ...(client.roles?.length ? { roles: client.roles } : {}),
      ...(client.subsystem ? { subsystem: client.subsystem } : {}),
    };
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(token, { caller, expMs: (claims.exp as number) * 1000 });
    return ip ? { ...caller, ip } : caller;
  }

  peerOf(clientId: string): string | undefined {
    return this.find(clientId)?.jwks;
  }

  private find(id: string): Credential | undefined {
    return this.byId.get(id) ?? this.registered(id);
  }
}

/** A valid scrypt hash of a random string, compared against when the client id is unknown. */
const DUMMY_HASH =
  'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$0vLq3n4y1Q3y6m8VwJ2b2m8y3d1p7h5k4x9c2a6f0e8=';
