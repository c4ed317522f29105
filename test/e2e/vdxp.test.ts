import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEdxml, parseEdxml, signEdxml } from '../../adapters/vdxp/edxml/index.js';
import { sdkFileHash, signSdkRequest } from '../../adapters/vdxp/axis/sdk-headers.js';
import type { VdxpSimulator } from '../../adapters/vdxp/simulator.js';
import { Tracking } from '../../adapters/vdxp/tracking.js';
import { demoToken, ROOT, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { testPki } from '../unit/vdxp/certs.js';

// The document interchange axis end to end (R1.2, issue 22 "Done when"), through
// the gateway's ports: agency A's JSON routes, the axis simulator, agency B's
// mailbox poller delivering to B's local system (a server of this test), and
// B's statuses coming back to A's status route.

const A = '000.00.00.H57';
const B = '000.00.00.H41';
const pki = testPki();

interface Delivery {
  kind: string;
  docId: string;
  header?: {
    DocumentId?: string;
    Subject?: string;
    From?: { OrganId?: string; OrganName?: string };
  };
  attachments: { name: string; href: string; size: number }[];
  signer?: string;
}

/** Agency B's local document system: records what it gets; fails subjects it is told to. */
class LocalDms {
  readonly received: Delivery[] = [];
  readonly attempts = new Map<string, number>();
  failSubject?: string;
  private server?: Server;
  url = '';

  async start() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const d = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Delivery;
        const subject = d.header?.Subject ?? '';
        this.attempts.set(subject, (this.attempts.get(subject) ?? 0) + 1);
        res.setHeader('content-type', 'application/json');
        if (subject === this.failSubject) {
          res.statusCode = 500;
          res.end('{"error":"local system down"}');
          return;
        }
        this.received.push(d);
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  of(documentId: string): Delivery[] {
    return this.received.filter((d) => d.header?.DocumentId === documentId);
  }

  close() {
    this.server?.closeAllConnections();
    return new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 10_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The example routes with fast pollers and B's inbox verifying signatures against the test CA. */
function fastRoutes(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lt-vdxp-routes-'));
  for (const f of readdirSync(join(ROOT, 'routes'))) {
    let text = readFileSync(join(ROOT, 'routes', f), 'utf8');
    if (f === 'vdxp.yaml') {
      const fast = text
        .replaceAll('intervalMs: 2000', 'intervalMs: 100')
        .replace(
          '    attachments: links\n',
          `    attachments: links\n    verifySignature: true\n    trustAnchors: ['${join(pki.dir, 'ca.pem')}']\n`,
        );
      if (!fast.includes('verifySignature: true') || fast.includes('intervalMs: 2000'))
        throw new Error('routes/vdxp.yaml changed: update fastRoutes()');
      text = fast;
    }
    writeFileSync(join(dir, f), text);
  }
  // A second facade for agency A that checks signatures and accepts unpadded HMAC hex.
  writeFileSync(
    join(dir, 'vdxp-strict-facade.yaml'),
    `- id: vdxp-a-facade-strict
  from:
    adapter: vdxp-facade
    path: /vdxp/axis-strict
    systems: [{ systemId: demo.dms-a, secret: demo-dms-a-secret }]
    lenientHex: true
    verifySignature: true
    trustAnchors: ['${join(pki.dir, 'ca.pem')}']
  to: { endpoint: axis-a, operation: relay }
  service: vdxp.Axis
  auth: none
  signature: { signReply: false }
`,
  );
  return dir;
}

const dms = new LocalDms();
let gw: TestGateway;
let sim: VdxpSimulator;
let token: string;
let routesDir: string;

function overrides(extra: Record<string, unknown> = {}) {
  return {
    routesDir,
    endpoints: {
      'axis-a': {
        options: {
          signing: { keyFile: join(pki.dir, 'rsa.key'), certFile: join(pki.dir, 'rsa.pem') },
        },
      },
      'axis-b': {
        options: {
          signing: { keyFile: join(pki.dir, 'rsa.key'), certFile: join(pki.dir, 'rsa.pem') },
        },
      },
      'dms-b': {
        simulator: null,
        url: dms.url,
        options: { path: '/inbox' },
        breaker: { volumeThreshold: 1000 },
      },
      ...extra,
    },
  };
}

beforeAll(async () => {
  await dms.start();
  routesDir = fastRoutes();
  gw = await startTestGateway(overrides());
  sim = gw.simulators.get('vdxp') as VdxpSimulator;
  token = await demoToken(gw.url);
});

afterAll(async () => {
  await gw?.stop();
  await dms.close();
});

async function call(method: 'GET' | 'POST', path: string, body?: unknown) {
  const res = await fetch(`${gw.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const sendDocument = (subject: string, extra: Record<string, unknown> = {}) =>
  call('POST', '/v1/vdxp/documents', {
    header: {
      To: [{ OrganId: B, OrganName: 'UBND tỉnh Nghệ An' }],
      Code: { CodeNumber: '12', CodeNotation: 'UBND-VP' },
      Subject: subject,
      ...extra,
    },
    attachments: [
      {
        name: 'Tờ trình số 12.txt',
        contentType: 'text/plain',
        content: Buffer.from(`nội dung ${subject}`).toString('base64'),
      },
    ],
  });

/** The status messages B's local system sends back (01 arrived, 03 accepted, 05 processing, 06 finished). */
const answer = (documentId: string, statusCode: string) =>
  call('POST', '/v1/vdxp/demo-b/statuses', {
    documentId,
    statusCode,
    staff: { Staff: 'Văn thư (thử)' },
  });

/** Puts a file from A straight into B's mailbox, as a sender other than this gateway would. */
function inject(file: Buffer): string {
  return sim.mailboxes.send(A, [B], 'edoc', file, sdkFileHash(file));
}

/** The status messages the axis carried from B back to A about a document, as A's store has them. */
const statusesAtA = (documentId: string) => new Tracking(gw.store, 'axis-a').statuses(documentId);

const TRUSTED = { privateKey: pki.signerKey, certificate: pki.signerCert };
const STRANGER = { privateKey: pki.strangerKey, certificate: pki.strangerCert };

/** An edXML document from A to B (`header` changes or adds fields). */
const documentFromA = (documentId: string, subject: string, header: Record<string, unknown> = {}) =>
  buildEdxml({
    header: {
      From: { OrganId: A },
      To: [{ OrganId: B }],
      Subject: subject,
      DocumentId: documentId,
      ...header,
    },
  });

/** The first status that came back to A about a document: B's refusal (02) in these tests. */
const rejectionAtA = (documentId: string) =>
  waitFor(`status 02 at A about ${documentId}`, async () => (await statusesAtA(documentId))[0]);

describe('VDXP end to end (R1.2)', () => {
  it('a JSON document sent by A reaches B’s local system, and B’s statuses come back to A’s status route', async () => {
    const sent = await sendDocument('Về việc thử nghiệm liên thông');
    expect(sent.status).toBe(200);
    const { documentId, docId } = sent.body;
    expect(typeof docId).toBe('string');

    const [delivered] = await waitFor('the delivery to B', () => {
      const d = dms.of(documentId);
      return d.length ? d : undefined;
    });
    expect(delivered.header?.From).toEqual({ OrganId: A, OrganName: 'UBND thành phố Huế (demo)' });
    expect(delivered.signer).toMatch(/Test signer rsa/);
    // The attachment travels as a link its local system fetches with its own token.
    expect(delivered.attachments).toEqual([
      expect.objectContaining({
        name: 'Tờ trình số 12.txt',
        href: expect.stringMatching(/^\/v1\/vdxp\/demo-b\/attachments\//),
      }),
    ]);
    const got = await fetch(`${gw.url}${delivered.attachments[0].href}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).toString('utf8')).toBe(
      'nội dung Về việc thử nghiệm liên thông',
    );
    expect(got.headers.get('content-disposition')).toContain(
      encodeURIComponent('Tờ trình số 12.txt'),
    );
    expect((await fetch(`${gw.url}${delivered.attachments[0].href}`)).status).toBe(401);
    const none = await call('GET', `/v1/vdxp/demo-b/attachments/${delivered.docId}/7`);
    expect(none.body.code).toBe('LT_VDXP_DOCUMENT_NOT_FOUND');
    // Acknowledged done only after the delivery.
    await waitFor('B’s acknowledgement', () =>
      sim.mailboxes.all().find((i) => i.docId === delivered.docId && i.status === 'done'),
    );

    const before = await call('GET', `/v1/vdxp/documents/${encodeURIComponent(documentId)}/status`);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ documentId, docId, to: [B], statuses: [] });

    for (const code of ['01', '03', '05', '06'])
      expect((await answer(documentId, code)).status).toBe(200);
    const after = await waitFor('four statuses at A', async () => {
      const r = await call('GET', `/v1/vdxp/documents/${encodeURIComponent(documentId)}/status`);
      return r.body.statuses?.length === 4 ? r.body : undefined;
    });
    expect(after.statuses.map((s: { code: string }) => s.code)).toEqual(['01', '03', '05', '06']);
    expect(after.statuses[3]).toMatchObject({ from: B, meaning: 'finished' });
    expect(dms.of(documentId)).toHaveLength(1);
  });

  it('a status about A’s document from an agency it was not sent to is refused, not recorded', async () => {
    const { documentId } = (await sendDocument('Chỉ gửi B')).body;
    const C = '000.00.00.H99';
    sim.mailboxes.register({ organId: C, name: 'C', systemId: 'sys.c', secret: 'c' });
    const status = buildEdxml({
      status: {
        ResponseFor: { OrganId: A, DocumentId: documentId },
        From: { OrganId: B }, // claims to be B; the axis knows it is C
        StatusCode: '06',
        Timestamp: '2026/01/01 00:00:00',
      },
    });
    const id = sim.mailboxes.send(C, [A], 'status', status, sdkFileHash(status));
    await waitFor('the refusal', () =>
      sim.mailboxes.all().find((i) => i.senderDocId === id && i.status === 'fail'),
    );
    expect(await statusesAtA(documentId)).toEqual([]);
  });

  it('an unknown document’s status is LT_VDXP_DOCUMENT_NOT_FOUND; a malformed JSON document is refused before the axis', async () => {
    const missing = await call('GET', '/v1/vdxp/documents/no-such-document/status');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('LT_VDXP_DOCUMENT_NOT_FOUND');
    const noReceiver = await call('POST', '/v1/vdxp/documents', {
      header: { Subject: 'x', To: [] },
    });
    expect(noReceiver.body.code).toBe('LT_CONTRACT_REQUEST');
    const unknownField = await call('POST', '/v1/vdxp/documents', {
      header: { Subject: 'x', To: [{ OrganId: B }], Colour: 'red' },
    });
    expect(unknownField.body.code).toBe('LT_EDXML_INVALID');
    expect((await sendDocument('Số hiệu riêng', { DocumentId: 'own-id-1' })).body.documentId).toBe(
      'own-id-1',
    );
    expect((await sendDocument('Lần nữa', { DocumentId: 'own-id-1' })).body.code).toBe(
      'LT_EDXML_INVALID',
    );
    const unknownStatus = await answer('never-received', '03');
    expect(unknownStatus.body.code).toBe('LT_VDXP_DOCUMENT_NOT_FOUND');
  });

  it('a document whose XML signature does not verify is refused: fail on the axis, status 02 with LT_EDXML_SIGNATURE_INVALID to A, not delivered', async () => {
    const signed = signEdxml(documentFromA('tampered-after-signing', 'Bản gốc'), TRUSTED);
    const tampered = Buffer.from(signed.toString('utf8').replace('Bản gốc', 'Bản sửa'));
    const id = inject(tampered);
    const copy = await waitFor('the refusal', () =>
      sim.mailboxes.all().find((i) => i.senderDocId === id && i.status === 'fail'),
    );
    expect(copy.to).toBe(B);
    const rejected = await rejectionAtA('tampered-after-signing');
    expect(rejected.code).toBe('02');
    expect(rejected.description).toMatch(/^LT_EDXML_SIGNATURE_INVALID/);
    expect(dms.of('tampered-after-signing')).toHaveLength(0);
  });

  it('a signed document from a signer outside the trust anchors is LT_EDXML_SIGNATURE_UNTRUSTED', async () => {
    const file = signEdxml(documentFromA('stranger-signed', 'Lạ'), STRANGER);
    inject(file);
    const rejected = await rejectionAtA('stranger-signed');
    expect(rejected.description).toMatch(/^LT_EDXML_SIGNATURE_UNTRUSTED/);
  });

  it('a validly signed edXML that fails its schema and rules is refused with LT_EDXML_INVALID', async () => {
    // No receiver (To) and a recall naming no document: errors of the rules, signature fine.
    const file = signEdxml(
      buildEdxml({
        header: { From: { OrganId: A }, Subject: 'Thu hồi', DocumentId: 'invalid-recall' },
        traceHeaderList: { Bussiness: { BussinessDocType: '1' } },
      }),
      TRUSTED,
    );
    expect(parseEdxml(file).kind).toBe('document');
    inject(file);
    const rejected = await rejectionAtA('invalid-recall');
    expect(rejected.description).toMatch(/^LT_EDXML_INVALID/);
    expect(dms.of('invalid-recall')).toHaveLength(0);
  });

  it('a document listed again after a lost acknowledgement is delivered once', async () => {
    sim.faults.set({ errorRate: 1, onlyFor: ['updateStatus'] });
    try {
      const { documentId } = (await sendDocument('Ack lost')).body;
      await waitFor('the delivery', () => (dms.of(documentId).length ? true : undefined));
      // Several polls list it again (its ack keeps failing) …
      const polls = (
        gw.inbounds.find((b) => b.name === 'vdxp poll axis-b edoc')!.health().detail as {
          polls: number;
        }
      ).polls;
      await waitFor('five more polls', () => {
        const now = (
          gw.inbounds.find((b) => b.name === 'vdxp poll axis-b edoc')!.health().detail as {
            polls: number;
          }
        ).polls;
        return now >= polls + 5 ? true : undefined;
      });
      expect(dms.of(documentId)).toHaveLength(1);
      sim.faults.set({});
      // … and once the axis answers again, the ack goes through without a second delivery.
      await waitFor('the ack', () =>
        sim.mailboxes
          .all()
          .find(
            (i) =>
              i.to === B &&
              i.status === 'done' &&
              parseEdxml(i.file).message.header?.DocumentId === documentId,
          ),
      );
      expect(dms.of(documentId)).toHaveLength(1);
    } finally {
      sim.faults.set({});
    }
  });

  it('a delivery that keeps failing is retried, then reported fail with the reason', async () => {
    dms.failSubject = 'Local system down';
    try {
      const { documentId } = (await sendDocument('Local system down')).body;
      const [rejected] = await waitFor(
        'status 02 at A',
        async () => {
          const s = await statusesAtA(documentId);
          return s.length ? s : undefined;
        },
        15_000,
      );
      expect(rejected.description).toMatch(/^LT_UPSTREAM_ERROR/);
      expect(dms.attempts.get('Local system down')).toBe(5); // maxAttempts
      expect(
        sim.mailboxes
          .all()
          .find(
            (i) =>
              i.to === B &&
              i.status === 'fail' &&
              parseEdxml(i.file).message.header?.DocumentId === documentId,
          ),
      ).toBeDefined();
    } finally {
      dms.failSubject = undefined;
    }
  });

  it('two gateway instances polling the same mailbox deliver each document once', async () => {
    const second = await startTestGateway({
      ...overrides({
        'axis-a': { simulator: null, url: sim.url },
        'axis-b': { simulator: null, url: sim.url },
      }),
      store: { path: join(gw.dir, 'store.db') },
    });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push((await sendDocument(`Hai máy ${i}`)).body.documentId);
      for (const id of ids)
        await waitFor(`delivery of ${id}`, () => (dms.of(id).length ? true : undefined));
      await waitFor('all acknowledged', () =>
        sim.mailboxes.received(B, 'edoc').length === 0 ? true : undefined,
      );
      // A little longer: a late second delivery would show now.
      await new Promise((r) => setTimeout(r, 500));
      for (const id of ids) expect(dms.of(id)).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });

  describe('the axis facade for local systems using the vendor SDK', () => {
    const DMS_A = { systemId: 'demo.dms-a', secret: 'demo-dms-a-secret' };
    /** What the SDK sends: signed headers (values as their UTF-8 bytes), a frozen timestamp, `//op`. */
    async function sdk(
      op: string,
      params: [string, string][],
      body?: Buffer,
      creds = DMS_A,
      opts: { path?: string; timestamp?: string; unpadHmac?: boolean } = {},
    ): Promise<Record<string, unknown>> {
      const signed = signSdkRequest(creds, opts.timestamp ?? '01012019T080000+0000', params);
      if (opts.unpadHmac)
        signed['XroadVnpt-hash-header'] = [...Buffer.from(signed['XroadVnpt-hash-header'], 'hex')]
          .map((b) => b.toString(16))
          .join('');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(signed))
        headers[k] = Buffer.from(v, 'utf8').toString('latin1');
      headers['content-type'] = body ? 'application/octet-stream' : 'application/json';
      const res = await fetch(`${gw.url}${opts.path ?? '/vdxp/axis'}//${op}`, {
        method: 'POST',
        headers,
        body: body ?? '{}',
      });
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    }
    const to = JSON.stringify([{ OrganId: B, OrganName: 'UBND tỉnh Nghệ An' }]);
    const sendParams = (file: Buffer): [string, string][] => [
      ['from', A],
      ['to', to],
      ['servicetype', 'eDoc'],
      ['messagetype', 'edoc'],
      ['hash-file', sdkFileHash(file)],
      ['docId', 'left over from an earlier call'],
    ];
    const signedDoc = (documentId: string) =>
      signEdxml(documentFromA(documentId, 'Qua SDK'), TRUSTED);

    it('an SDK sendEdoc (file + CRLF, frozen timestamp, extra signed parameters) is relayed and reaches B', async () => {
      const file = signedDoc('via-facade');
      const r = await sdk('sendEdoc', sendParams(file), Buffer.concat([file, Buffer.from('\r\n')]));
      expect(r).toMatchObject({ status: 'OK', ErrorCode: '0' });
      expect(typeof r.DocId).toBe('string');
      await waitFor('the delivery', () => (dms.of('via-facade').length ? true : undefined));
      expect(dms.of('via-facade')).toHaveLength(1);
      const count = await sdk('countReceiveEdoc', []);
      expect(count).toMatchObject({ status: 'OK', ErrorCode: '0', count: expect.any(Number) });
      const list = await sdk('getReceivedEdocList', [
        ['servicetype', 'eDoc'],
        ['messagetype', 'edoc'],
      ]);
      expect(list).toMatchObject({ status: 'OK', ErrorCode: '0', data: expect.any(Array) });
    });

    it('a bad HMAC, an unknown system, a tampered file, an edXML failing its schema and a foreign sender are each FAIL with their code', async () => {
      const file = signedDoc('refused-at-facade');
      const body = Buffer.concat([file, Buffer.from('\r\n')]);
      const badHmac = await sdk('sendEdoc', sendParams(file), body, { ...DMS_A, secret: 'wrong' });
      expect(badHmac).toEqual({
        status: 'FAIL',
        ErrorCode: 'LT_VDXP_HEADER_SIGNATURE_INVALID',
        ErrorDesc: expect.any(String),
        DocId: '',
      });
      const stranger = await sdk('sendEdoc', sendParams(file), body, {
        systemId: 'nobody',
        secret: 'x',
      });
      expect(stranger.ErrorCode).toBe('LT_VDXP_UNKNOWN_SYSTEM');
      const tampered = Buffer.from(body.toString('utf8').replace('Qua SDK', 'Qua SDK!'));
      expect((await sdk('sendEdoc', sendParams(file), tampered)).ErrorCode).toBe(
        'LT_VDXP_FILE_HASH_MISMATCH',
      );
      const invalid = signEdxml(
        documentFromA('no-receiver', 'Không có nơi nhận', { To: undefined }),
        TRUSTED,
      );
      expect((await sdk('sendEdoc', sendParams(invalid), invalid)).ErrorCode).toBe(
        'LT_EDXML_INVALID',
      );
      const asB = sendParams(file).map(([k, v]): [string, string] =>
        k === 'from' ? [k, B] : [k, v],
      );
      expect((await sdk('sendEdoc', asB, body)).ErrorCode).toBe('LT_POLICY_ROUTE_NOT_ALLOWED');
      expect(sim.mailboxes.all().some((i) => i.file.includes('refused-at-facade'))).toBe(false);
    });

    it('a facade with verifySignature refuses an unsigned file and a signer outside its trustAnchors; lenientHex takes an unpadded HMAC', async () => {
      const strict = { path: '/vdxp/axis-strict' };
      const unsigned = documentFromA('unsigned-strict', 'Chưa ký');
      expect((await sdk('sendEdoc', sendParams(unsigned), unsigned, DMS_A, strict)).ErrorCode).toBe(
        'LT_EDXML_SIGNATURE_INVALID',
      );
      const stranger = signEdxml(unsigned, STRANGER);
      expect((await sdk('sendEdoc', sendParams(stranger), stranger, DMS_A, strict)).ErrorCode).toBe(
        'LT_EDXML_SIGNATURE_UNTRUSTED',
      );
      // The default facade relays the unsigned file (B's poller decides on it).
      expect((await sdk('sendEdoc', sendParams(unsigned), unsigned)).ErrorCode).toBe('0');
      // An HMAC whose hex dropped leading zeros: find a timestamp that makes one.
      for (let i = 0; ; i++) {
        const timestamp = `0101201${i % 10}T0000${String(i).padStart(2, '0')}+0000`;
        const mac = signSdkRequest(DMS_A, timestamp, [
          ['servicetype', 'eDoc'],
          ['messagetype', 'edoc'],
        ])['XroadVnpt-hash-header'];
        if ([...Buffer.from(mac, 'hex')].every((b) => b >= 16)) continue;
        const params: [string, string][] = [
          ['servicetype', 'eDoc'],
          ['messagetype', 'edoc'],
        ];
        const lenient = await sdk('countReceiveEdoc', params, undefined, DMS_A, {
          ...strict,
          timestamp,
          unpadHmac: true,
        });
        expect(lenient.ErrorCode).toBe('0');
        const refused = await sdk('countReceiveEdoc', params, undefined, DMS_A, {
          timestamp,
          unpadHmac: true,
        });
        expect(refused.ErrorCode).toBe('LT_VDXP_HEADER_SIGNATURE_INVALID');
        break;
      }
    });
  });
});
