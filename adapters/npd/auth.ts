import { hash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { Pool } from 'undici';
import { upstreamError } from '../../src/adapter/upstream.js';
import { httpExchange } from '../../src/adapter/http-exchange.js';
import { GatewayError } from '../../src/message/errors.js';

/**
 * How the gateway authenticates to the population database, per path
 * (DOMAIN.md §1, §2). Secrets arrive as plain strings (the config loader does
 * any environment interpolation); they are never logged.
 */

export const C06AuthSchema = Type.Object(
  {
    mode: Type.Literal('c06', {
      description: 'c06: direct C06; lgsp-oauth2: LGSP pattern A; lgsp-accesstoken: LGSP pattern B',
    }),
    username: Type.String({
      minLength: 1,
      description: 'C06 account name (in Basic and the hash)',
    }),
    secretKey: Type.String({
      minLength: 1,
      description: 'Secret that enters the hash (c06) or the lgspaccesstoken JSON',
    }),
    apiKey: Type.String({ minLength: 1, description: 'Sent as the ApiKey header' }),
    xRoadClient: Type.String({ minLength: 1, description: 'Sent as the X-Road-Client header' }),
    urlXacThuc: Type.Optional(
      Type.String({ description: 'URL that enters the hash; the endpoint URL when absent' }),
    ),
  },
  {
    additionalProperties: false,
    description: 'Direct C06 connection: Timestamp + hashed Basic credentials',
  },
);

export const OAuth2AuthSchema = Type.Object(
  {
    mode: Type.Literal('lgsp-oauth2'),
    tokenUrl: Type.String({
      description: 'WSO2 token endpoint, e.g. https://lgsp.example:8247/token',
    }),
    consumerKey: Type.String({ minLength: 1, description: 'OAuth2 client id at the LGSP' }),
    consumerSecret: Type.String({ minLength: 1, description: 'OAuth2 client secret at the LGSP' }),
  },
  {
    additionalProperties: false,
    description: 'LGSP pattern A: WSO2 OAuth2 client credentials, Bearer token',
  },
);

export const AccessTokenAuthSchema = Type.Object(
  {
    mode: Type.Literal('lgsp-accesstoken'),
    accessKey: Type.String({ minLength: 1, description: 'AccessKey of the lgspaccesstoken JSON' }),
    secretKey: Type.String({ minLength: 1, description: 'SecretKey of the lgspaccesstoken JSON' }),
    appName: Type.String({ description: 'AppName of the lgspaccesstoken JSON' }),
    partnerCode: Type.String({ description: 'PartnerCode of the lgspaccesstoken JSON' }),
    partnerCodeCus: Type.String({ description: 'PartnerCodeCus of the lgspaccesstoken JSON' }),
    tokenUrl: Type.Optional(
      Type.String({
        description: 'When set, a Bearer token is fetched with the lgspaccesstoken header',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'LGSP pattern B: the lgspaccesstoken header (and a Bearer token)',
  },
);

export const NpdAuthSchema = Type.Union([C06AuthSchema, OAuth2AuthSchema, AccessTokenAuthSchema], {
  description: 'How the gateway authenticates to the NPD; by `mode` (none: no credentials)',
});
export type NpdAuth = Static<typeof NpdAuthSchema>;
export type C06Auth = Static<typeof C06AuthSchema>;

/** Computed for every direct-C06 call (its Timestamp is in milliseconds). */
export function sha256hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/**
 * The direct C06 Authorization value (DOMAIN.md §2):
 * `Basic base64(username + ":" + sha256hex(urlXacThuc + username + timestamp + secretKey))`.
 */
export function c06Authorization(
  urlXacThuc: string,
  username: string,
  timestamp: string,
  secretKey: string,
): string {
  const digest = sha256hex(urlXacThuc + username + timestamp + secretKey);
  return `Basic ${Buffer.from(`${username}:${digest}`, 'utf8').toString('base64')}`;
}

/** The base64 JSON of LGSP pattern B, field names as the platform spells them. */
export function lgspAccessToken(a: Static<typeof AccessTokenAuthSchema>): string {
  const json = JSON.stringify({
    AccessKey: a.accessKey,
    SecretKey: a.secretKey,
    AppName: a.appName,
    PartnerCode: a.partnerCode,
    PartnerCodeCus: a.partnerCodeCus,
  });
  return Buffer.from(json, 'utf8').toString('base64');
}

export interface AuthProvider {
  /** Content-Type the path expects for the SOAP body. */
  readonly contentType: string;
  /** Headers for one request (may fetch a token, shared by concurrent callers). */
  headers(signal: AbortSignal): Promise<Record<string, string>>;
  /**
   * After a 401: forget the token those headers carried (not a newer one a
   * concurrent caller already fetched). True when fetching a new one can help.
   */
  invalidate(used: Record<string, string>): boolean;
  close(): Promise<void>;
}

const NO_AUTH: AuthProvider = {
  contentType: 'text/xml; charset=utf-8',
  headers: async () => ({}),
  invalidate: () => false,
  close: async () => {},
};

/** Rejects when the caller's signal aborts, without cancelling the shared work it waits for. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal, endpoint: string): Promise<T> {
  if (signal.aborted) return Promise.reject(upstreamError(signal.reason, endpoint, signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(upstreamError(signal.reason, endpoint, signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export interface TokenResponse {
  token: string;
  /** Seconds, when the server said. */
  expiresIn?: number;
}

/**
 * One cached bearer token: fetched on first use, reused until shortly before
 * it expires, dropped after a 401. Concurrent callers share one in-flight
 * fetch, so a burst after expiry makes one token request, not a hundred.
 */
export class TokenCache {
  private token: string | undefined;
  private expiresAt = 0;
  private inflight: Promise<string> | undefined;
  /** Tokens fetched so far (for tests and metrics). */
  fetches = 0;

  constructor(
    private readonly fetchToken: () => Promise<TokenResponse>,
    private readonly endpoint: string,
    private readonly now: () => number = Date.now,
  ) {}

  get(signal: AbortSignal): Promise<string> {
    if (this.token !== undefined && this.now() < this.expiresAt) return Promise.resolve(this.token);
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = undefined;
    });
    return raceAbort(this.inflight, signal, this.endpoint);
  }

  /** Drops the cached token if it is `token` (or unconditionally without an argument). */
  invalidate(token?: string): void {
    if (token !== undefined && token !== this.token) return;
    this.token = undefined;
    this.expiresAt = 0;
  }

  private async refresh(): Promise<string> {
    this.fetches++;
    const { token, expiresIn } = await this.fetchToken();
    // Renew a little early: 10% of the lifetime, at most a minute; 5 minutes when unsaid.
    const lifeMs = (expiresIn ?? 300) * 1000;
    this.token = token;
    this.expiresAt = this.now() + lifeMs - Math.min(60_000, lifeMs / 10);
    return token;
  }
}

/** POSTs `grant_type=client_credentials` to a token endpoint and reads `access_token`. */
export function tokenFetcher(
  tokenUrl: string,
  headers: Record<string, string>,
  endpoint: string,
  timeoutMs = 10_000,
): { fetch: () => Promise<TokenResponse>; close: () => Promise<void> } {
  let url: URL;
  try {
    url = new URL(tokenUrl);
  } catch {
    throw new GatewayError('LT_CONFIG_INVALID', `${endpoint}: tokenUrl "${tokenUrl}" is not a URL`);
  }
  const pool = new Pool(url.origin, { connections: 2 });
  const fetch = async (): Promise<TokenResponse> => {
    const signal = AbortSignal.timeout(timeoutMs);
    const res = await httpExchange(pool, {
      method: 'POST',
      path: url.pathname + url.search,
      headers: {
        ...headers,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: 'grant_type=client_credentials',
      signal,
      maxBytes: 64 * 1024, // a token answer is a few hundred bytes
      endpoint: `${endpoint} token endpoint`,
    });
    const status = res.status;
    const text = res.body.toString('utf8');
    if (status >= 500) {
      throw new GatewayError(
        'LT_UPSTREAM_ERROR',
        `${endpoint}: token endpoint answered HTTP ${status}`,
        { endpoint, status },
      );
    }
    if (status >= 400) {
      throw new GatewayError(
        'LT_UPSTREAM_AUTH',
        `${endpoint}: token endpoint refused the credentials (HTTP ${status})`,
        {
          endpoint,
          status,
        },
      );
    }
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text);
    } catch {
      throw new GatewayError('LT_UPSTREAM_AUTH', `${endpoint}: token endpoint reply is not JSON`, {
        endpoint,
      });
    }
    if (typeof body?.access_token !== 'string' || body.access_token === '') {
      throw new GatewayError(
        'LT_UPSTREAM_AUTH',
        `${endpoint}: token endpoint reply has no access_token`,
        { endpoint },
      );
    }
    const exp = Number(body.expires_in);
    return {
      token: body.access_token,
      expiresIn: Number.isFinite(exp) && exp > 0 ? exp : undefined,
    };
  };
  return { fetch, close: () => pool.close() };
}

function bearerOf(headers: Record<string, string>): string | undefined {
  const v = headers.authorization;
  return v?.startsWith('Bearer ') ? v.slice(7) : undefined;
}

/** The provider for an endpoint's `auth` option (none: no auth headers). */
export function createAuth(
  auth: NpdAuth | undefined,
  endpointUrl: string,
  endpoint: string,
): AuthProvider {
  if (!auth) return NO_AUTH;

  if (auth.mode === 'c06') {
    const url = auth.urlXacThuc ?? endpointUrl;
    return {
      contentType: 'application/xml',
      async headers() {
        const timestamp = String(Date.now());
        return {
          timestamp,
          authorization: c06Authorization(url, auth.username, timestamp, auth.secretKey),
          'x-road-client': auth.xRoadClient,
          apikey: auth.apiKey,
        };
      },
      invalidate: () => false,
      close: async () => {},
    };
  }

  if (auth.mode === 'lgsp-oauth2') {
    const basic = Buffer.from(`${auth.consumerKey}:${auth.consumerSecret}`, 'utf8').toString(
      'base64',
    );
    const fetcher = tokenFetcher(auth.tokenUrl, { authorization: `Basic ${basic}` }, endpoint);
    const cache = new TokenCache(fetcher.fetch, endpoint);
    return {
      contentType: 'text/xml; charset=utf-8',
      async headers(signal) {
        return { authorization: `Bearer ${await cache.get(signal)}` };
      },
      invalidate(used) {
        cache.invalidate(bearerOf(used));
        return true;
      },
      close: fetcher.close,
    };
  }

  const accessToken = lgspAccessToken(auth);
  if (!auth.tokenUrl) {
    return {
      contentType: 'text/xml; charset=utf-8',
      headers: async () => ({ lgspaccesstoken: accessToken }),
      invalidate: () => false,
      close: async () => {},
    };
  }
  const fetcher = tokenFetcher(auth.tokenUrl, { lgspaccesstoken: accessToken }, endpoint);
  const cache = new TokenCache(fetcher.fetch, endpoint);
  return {
    contentType: 'text/xml; charset=utf-8',
    async headers(signal) {
      return { authorization: `Bearer ${await cache.get(signal)}`, lgspaccesstoken: accessToken };
    },
    invalidate(used) {
      cache.invalidate(bearerOf(used));
      return true;
    },
    close: fetcher.close,
  };
}
