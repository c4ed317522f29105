import { describe, expect, it } from '@jest/globals';
import { soapOutbound, type SoapEndpoint } from '../../../adapters/soap/outbound.js';
import type { OutboundContext } from '../../../src/adapter/spec.js';
import { withLazyBody, type Message } from '../../../src/message/index.js';
import { SOAP11_NS, type XmlElement } from '../../../src/xml/index.js';
import { codeOf } from '../../helpers/errors.js';
import { exchange, tinyServer } from '../npd/helpers.js';

const cfg: SoapEndpoint = {
  soapAction: 'urn:op',
  headers: {},
  connections: 2,
  idempotent: false,
  maxBytes: 1 << 20,
  maxDepth: 64,
  maxNodes: 100000,
};
const envelope = (body: string) =>
  `<s:Envelope xmlns:s="${SOAP11_NS}"><s:Body>${body}</s:Body></s:Envelope>`;
const request: Message = {
  contentType: 'text/xml; charset=utf-8',
  headers: {},
  body: null,
  raw: Buffer.from(envelope('<m:Op xmlns:m="urn:m"/>')),
  operation: 'Op',
};

/** A provider answering `replies` ([status, body]) in turn; `send` forwards the request to it. */
async function withProvider(
  replies: [number, string][],
  use: (send: () => Promise<Message>) => Promise<void>,
): Promise<void> {
  let next = 0;
  const server = await tinyServer((_req, _body, res) => {
    const [status, body] = replies[next++];
    res.statusCode = status;
    res.setHeader('content-type', 'text/xml');
    res.end(body);
  });
  const ctx = { name: 'svc', url: `${server.url}/svc`, log: undefined as never } as OutboundContext;
  const out = soapOutbound(cfg, ctx);
  const ex = exchange();
  try {
    await use(() => out.send(request, ex, ex.signal));
  } finally {
    await out.close();
    await server.close();
  }
}

describe('generic SOAP outbound (adapters/soap/outbound.ts)', () => {
  it('forwards a success as its bytes and parses its Body only when read', async () => {
    const ok = envelope('<m:OpResponse xmlns:m="urn:m"><m:Code>01</m:Code></m:OpResponse>');
    const cut = ok.slice(0, 60);
    await withProvider(
      [
        [200, ok],
        [200, cut],
      ],
      async (send) => {
        const good = await send();
        expect(good.raw?.toString()).toBe(ok);
        expect((good.body as XmlElement).name).toBe('OpResponse');
        // Unreadable bytes: the send succeeds, the first read is the provider's fault.
        const bad = await send();
        expect(bad.raw?.toString()).toBe(cut);
        expect(() => bad.body).toThrow(expect.objectContaining({ code: 'LT_UPSTREAM_BAD_REPLY' }));
      },
    );
  });

  it('turns faults and HTTP errors into their codes at once', async () => {
    await withProvider(
      [
        [
          500,
          envelope(
            '<s:Fault><faultcode>s:Server</faultcode><faultstring>x</faultstring></s:Fault>',
          ),
        ],
        [503, '<html>down</html>'],
        [401, envelope('<m:OpResponse xmlns:m="urn:m"/>')],
      ],
      async (send) => {
        expect(await codeOf(send())).toBe('LT_UPSTREAM_FAULT');
        expect(await codeOf(send())).toBe('LT_UPSTREAM_ERROR');
        expect(await codeOf(send())).toBe('LT_UPSTREAM_AUTH');
      },
    );
  });
});

describe('generic SOAP outbound: the envelope the provider gets is the gateway’s', () => {
  const callerEnvelope = `<s:Envelope xmlns:s="${SOAP11_NS}" xmlns:m="urn:m"><s:Header><w:Security xmlns:w="urn:wsse">caller</w:Security></s:Header><s:Body><m:Op a="1"><m:V>01</m:V></m:Op></s:Body></s:Envelope>`;

  async function recorded(msgs: (ex: ReturnType<typeof exchange>) => Message[]) {
    const seen: { body: string; sig?: string }[] = [];
    const server = await tinyServer((req, body, res) => {
      seen.push({ body, sig: req.headers['x-jws-signature'] as string | undefined });
      res.setHeader('content-type', 'text/xml');
      res.end(envelope('<m:OpResponse xmlns:m="urn:m"/>'));
    });
    const ctx = {
      name: 'svc',
      url: `${server.url}/svc`,
      log: undefined as never,
    } as OutboundContext;
    const out = soapOutbound(cfg, ctx);
    const ex = exchange();
    try {
      for (const m of msgs(ex)) {
        out.encode?.(m, ex);
        await out.send(m, ex, ex.signal);
      }
    } finally {
      await out.close();
      await server.close();
    }
    return seen;
  }

  it('sends the operation element in its own envelope: the caller’s Header and signature stay behind', async () => {
    const seen = await recorded((ex) => {
      const m: Message = {
        ...request,
        raw: Buffer.from(callerEnvelope),
        headers: { 'x-jws-signature': 'callers' },
      };
      ex.request = m;
      return [m];
    });
    expect(seen[0].body).not.toContain('Security');
    expect(seen[0].body).toContain('<soapenv:Header/>');
    expect(seen[0].body).toContain('<m:Op xmlns:m="urn:m" a="1"><m:V>01</m:V></m:Op>');
    expect(seen[0].sig).toBeUndefined();
  });

  it('takes the element the SOAP facade parsed, and sends exactly the bytes encode wrote (what sign-outbound signs)', async () => {
    const parsed: XmlElement = {
      ns: 'urn:m',
      name: 'Parsed',
      prefix: 'm',
      attrs: {},
      children: [],
      text: '7',
    };
    const m: Message = { ...request, body: parsed, headers: { 'x-jws-signature': 'gateways' } };
    const seen = await recorded(() => [m]);
    expect(seen[0].body).toContain('<m:Parsed xmlns:m="urn:m">7</m:Parsed>');
    expect(seen[0].body).toBe(m.raw!.toString('utf8'));
    expect(seen[0].sig).toBe('gateways');
  });
});

describe('withLazyBody (src/message/lazy-body.ts)', () => {
  it('reads once, on first use, and lets a stage replace the body', () => {
    let reads = 0;
    const msg = withLazyBody({ contentType: 'text/xml', headers: {} }, () => ++reads);
    expect(reads).toBe(0);
    expect(msg.body).toBe(1);
    expect(msg.body).toBe(1);
    expect(reads).toBe(1);
    msg.body = 'replaced';
    expect(msg.body).toBe('replaced');
    expect(reads).toBe(1);
  });
});
