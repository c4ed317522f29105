import { afterEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import type { OutboundContext } from '../../../src/adapter/spec.js';
import type { GatewayError } from '../../../src/message/errors.js';
import { createAuth, TokenCache } from '../../../adapters/npd/auth.js';
import { npdOutbound, type NpdEndpoint } from '../../../adapters/npd/outbound.js';
import { sampleReply } from '../xml/helpers.js';
import { exchange, jsonRequest, tinyServer } from './helpers.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const ctx = (url: string): OutboundContext => ({ name: 'npd', url, log: undefined as never });
const LOOKUP = { serviceCode: 'G15-TP110', officer: 'canbo01', idNumber: '026092017345' };

function endpoint(auth: NpdEndpoint['auth']): NpdEndpoint {
  return {
    auth,
    prefix: 'dan',
    nameForm: 'as-is',
    connections: 4,
    maxReplyBytes: 1 << 20,
    maxDepth: 64,
    maxNodes: 100000,
  };
}

describe('direct C06 headers (DOMAIN §2)', () => {
  it('computes Authorization from url + username + Timestamp + secretKey', async () => {
    const auth = createAuth(
      {
        mode: 'c06',
        username: 'user01',
        secretKey: 's3cret',
        apiKey: 'key-1',
        xRoadClient: 'VN/GOV/000.00.00.H57/LT',
        urlXacThuc: 'https://c06.example/xacthuc',
      },
      'http://ignored',
      'npd',
    );
    const h = await auth.headers(new AbortController().signal);
    // The documented formula, computed here independently of the adapter.
    const hash = createHash('sha256')
      .update(`https://c06.example/xacthucuser01${h.timestamp}s3cret`)
      .digest('hex');
    expect(h.authorization).toBe(`Basic ${Buffer.from(`user01:${hash}`).toString('base64')}`);
    expect(Math.abs(Number(h.timestamp) - Date.now())).toBeLessThan(5000);
    expect(h['x-road-client']).toBe('VN/GOV/000.00.00.H57/LT');
    expect(h.apikey).toBe('key-1');
    expect(auth.contentType).toBe('application/xml');
  });

  it('hashes the endpoint URL when urlXacThuc is not configured', async () => {
    const auth = createAuth(
      { mode: 'c06', username: 'u', secretKey: 'k', apiKey: 'a', xRoadClient: 'x' },
      'http://c06/npd',
      'npd',
    );
    const h = await auth.headers(new AbortController().signal);
    const hash = createHash('sha256').update(`http://c06/npdu${h.timestamp}k`).digest('hex');
    expect(h.authorization).toBe(`Basic ${Buffer.from(`u:${hash}`).toString('base64')}`);
  });
});

describe('LGSP lgspaccesstoken (DOMAIN §1 pattern B)', () => {
  it('sends base64 of the JSON credentials', async () => {
    const auth = createAuth(
      {
        mode: 'lgsp-accesstoken',
        accessKey: 'ak',
        secretKey: 'sk',
        appName: 'app',
        partnerCode: 'pc',
        partnerCodeCus: 'pcc',
      },
      'http://lgsp',
      'npd',
    );
    const h = await auth.headers(new AbortController().signal);
    expect(JSON.parse(Buffer.from(h.lgspaccesstoken, 'base64').toString('utf8'))).toEqual({
      AccessKey: 'ak',
      SecretKey: 'sk',
      AppName: 'app',
      PartnerCode: 'pc',
      PartnerCodeCus: 'pcc',
    });
    expect(h.authorization).toBeUndefined();
  });
});

describe('TokenCache', () => {
  it('renews shortly before expires_in and shares one fetch between concurrent callers', async () => {
    let now = 1_000_000;
    let n = 0;
    const cache = new TokenCache(
      async () => ({ token: `t${++n}`, expiresIn: 100 }),
      'npd',
      () => now,
    );
    const signal = new AbortController().signal;
    const first = await Promise.all(
      Array.from({ length: 20 }, () => cache.get(new AbortController().signal)),
    );
    expect(new Set(first)).toEqual(new Set(['t1']));
    now += 89_000;
    expect(await cache.get(signal)).toBe('t1');
    now += 2_000; // 91 s of 100: inside the renewal margin (10 %)
    expect(await cache.get(signal)).toBe('t2');
    expect(cache.fetches).toBe(2);
  });

  it('does not drop a newer token when an older one is reported stale', async () => {
    let n = 0;
    const cache = new TokenCache(async () => ({ token: `t${++n}` }), 'npd');
    const signal = new AbortController().signal;
    expect(await cache.get(signal)).toBe('t1');
    cache.invalidate('t1');
    expect(await cache.get(signal)).toBe('t2');
    cache.invalidate('t1');
    expect(await cache.get(signal)).toBe('t2');
  });
});

describe('LGSP OAuth2 client credentials (DOMAIN §1 pattern A)', () => {
  it('fetches the token once, caches it, and refreshes it once after a 401', async () => {
    let issued = 0;
    let valid = '';
    const token = await tinyServer((req, body, res) => {
      const basic = Buffer.from('ck:cs').toString('base64');
      if (
        req.headers.authorization !== `Basic ${basic}` ||
        body !== 'grant_type=client_credentials'
      ) {
        res.statusCode = 401;
        res.end('{"error":"invalid_client"}');
        return;
      }
      valid = `tok-${++issued}`;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          access_token: valid,
          scope: 'default',
          token_type: 'Bearer',
          expires_in: 3600,
        }),
      );
    });
    const provider = await tinyServer((req, _body, res) => {
      if (req.headers.authorization !== `Bearer ${valid}`) {
        res.statusCode = 401;
        res.end('{"fault":{"code":900901,"message":"Invalid Credentials"}}');
        return;
      }
      res.setHeader('content-type', 'text/xml');
      res.end(sampleReply());
    });
    cleanup.push(token.close, provider.close);
    const out = npdOutbound(
      endpoint({
        mode: 'lgsp-oauth2',
        tokenUrl: `${token.url}/token`,
        consumerKey: 'ck',
        consumerSecret: 'cs',
      }),
      ctx(`${provider.url}/truclienthong/v1.0.0/npd`),
    );
    cleanup.push(() => out.close());
    const send = () => {
      const ex = exchange();
      return out.send(jsonRequest('TraCuuThongTinCongDan', LOOKUP), ex, ex.signal);
    };

    await Promise.all([send(), send(), send(), send(), send()]);
    await send();
    expect(issued).toBe(1);

    valid = 'revoked-by-the-gateway'; // the LGSP forgets the token: next call gets 401
    const reply = await send();
    expect((reply.body as { citizen: { idNumber: string } }).citizen.idNumber).toBe('026092017345');
    expect(issued).toBe(2);
  });

  it('maps refused client credentials to LT_UPSTREAM_AUTH', async () => {
    const token = await tinyServer((_req, _body, res) => {
      res.statusCode = 401;
      res.end('{"error":"invalid_client"}');
    });
    cleanup.push(token.close);
    const out = npdOutbound(
      endpoint({
        mode: 'lgsp-oauth2',
        tokenUrl: `${token.url}/token`,
        consumerKey: 'ck',
        consumerSecret: 'wrong',
      }),
      ctx('http://127.0.0.1:9/npd'),
    );
    cleanup.push(() => out.close());
    const ex = exchange();
    const err = (await out
      .send(jsonRequest('TraCuuThongTinCongDan', LOOKUP), ex, ex.signal)
      .catch((e) => e)) as GatewayError;
    expect(err.code).toBe('LT_UPSTREAM_AUTH');
  });
});
