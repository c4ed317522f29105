import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { axisClient, type AxisClient } from '../../../adapters/vdxp/axis/client.js';
import {
  fileHashMatches,
  javaHashMapOrder,
  sdkFileHash,
  sdkTimestamp,
  signSdkRequest,
  verifySdkRequest,
} from '../../../adapters/vdxp/axis/sdk-headers.js';
import { startVdxpSimulator, type VdxpSimulator } from '../../../adapters/vdxp/simulator.js';
import { buildEdxml } from '../../../adapters/vdxp/edxml/index.js';
import { codeOf, gatewayError } from '../../helpers/errors.js';

// The vendor SDK's request signing and the axis protocol (DOMAIN.md §3), both ways.

const A = { organId: '000.00.00.H57', name: 'Agency A', systemId: 'sys.a', secret: 'secret-a' };
const B = {
  organId: '000.00.00.H41',
  name: 'Agency B',
  systemId: 'sys.b',
  secret: 'secret-b',
  consumerKey: 'ck-b',
  consumerSecret: 'cs-b',
};
const secretOf = (id: string) => ({ 'sys.a': 'secret-a', 'sys.b': 'secret-b' })[id];

/** Node hands header values over as Latin-1 characters, one per byte: what arrives for UTF-8 text. */
const onTheWire = (h: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(h).map(([k, v]) => [k.toLowerCase(), Buffer.from(v, 'utf8').toString('latin1')]),
  );

describe('the SDK signing (R1.2)', () => {
  it('orders parameters as a java.util.HashMap iterates them (orders printed by the JDK)', () => {
    const cases: [string, string][] = [
      [
        'systemid,timestamp,from,to,servicetype,messagetype,hash-file',
        'systemid;servicetype;messagetype;hash-file;from;to;timestamp',
      ],
      ['systemid,timestamp,docId,status', 'systemid;docId;timestamp;status'],
      [
        'systemid,timestamp,servicetype,messagetype,docId,status,from,to,hash-file,a,b,c,d,e,f',
        'a;systemid;b;c;d;messagetype;e;docId;f;servicetype;hash-file;from;to;timestamp;status',
      ],
    ];
    for (const [given, java] of cases)
      expect(javaHashMapOrder(given.split(',')).join(';')).toBe(java);
  });

  it('renders hash-file with Integer.toHexString per byte: leading zeros dropped', () => {
    // Find a file whose digest has a byte below 0x10.
    let file = Buffer.from('x');
    for (let i = 0; ; i++) {
      file = Buffer.from(`file ${i}`);
      if (sdkFileHash(file).length < 64) break;
    }
    expect(sdkFileHash(file).length).toBeLessThan(64);
    expect(fileHashMatches(sdkFileHash(file), file)).toBe(true);
    // The SDK appends CRLF to the body; hash-file covers the file alone.
    expect(fileHashMatches(sdkFileHash(file), Buffer.concat([file, Buffer.from('\r\n')]))).toBe(
      true,
    );
    expect(fileHashMatches(sdkFileHash(file), Buffer.from('other'))).toBe(false);
  });

  it('writes the timestamp as ddMMyyyy’T’HHmmss+SSSS', () => {
    expect(sdkTimestamp(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 67)))).toBe('02012026T030405+0067');
  });

  it('signs as the SDK does and a receiver verifies over the string received', () => {
    const h = signSdkRequest({ systemId: 'sys.a', secret: 'secret-a' }, '01012020T000000+0000', [
      ['docId', 'd-1'],
      ['status', 'done'],
    ]);
    expect(h['XroadVnpt-sign-header-key']).toBe('systemid;docId;timestamp;status');
    expect(h['XroadVnpt-sign-header']).toBe(
      '{"systemid":"sys.a","docId":"d-1","timestamp":"01012020T000000+0000","status":"done"}',
    );
    expect(h['XroadVnpt-hash-header']).toBe(
      createHmac('sha256', 'secret-a').update(h['XroadVnpt-sign-header']).digest('hex'),
    );
    const v = verifySdkRequest(onTheWire(h), { secretOf });
    expect(v.systemId).toBe('sys.a');
    expect(v.params).toMatchObject({ docId: 'd-1', status: 'done' });
  });

  it('accepts a frozen old timestamp, extra signed parameters and UTF-8 values as the bytes arrived', () => {
    const to = JSON.stringify([{ OrganId: B.organId, OrganName: 'Ủy ban nhân dân tỉnh Nghệ An' }]);
    const h = signSdkRequest({ systemId: 'sys.a', secret: 'secret-a' }, '01012019T000000+0000', [
      ['servicetype', 'eDoc'],
      ['messagetype', 'edoc'],
      ['to', to],
      ['docId', 'earlier-call'],
    ]);
    const v = verifySdkRequest(onTheWire(h), { secretOf });
    expect(v.params.to).toBe(to);
  });

  it('refuses a bad HMAC, a changed value, a missing header and an unknown system, each with its code', () => {
    const h = signSdkRequest({ systemId: 'sys.a', secret: 'secret-a' }, '01012020T000000+0000', [
      ['docId', 'd-1'],
    ]);
    const wrongSecret = signSdkRequest({ systemId: 'sys.a', secret: 'nope' }, 'x', []);
    expect(gatewayError(() => verifySdkRequest(onTheWire(wrongSecret), { secretOf })).code).toBe(
      'LT_VDXP_HEADER_SIGNATURE_INVALID',
    );
    const changed = onTheWire({ ...h, 'XroadVnpt-docId': 'd-2' });
    expect(gatewayError(() => verifySdkRequest(changed, { secretOf })).data?.reason).toMatch(
      /docId differs/,
    );
    const missing = onTheWire(h);
    delete missing['xroadvnpt-hash-header'];
    expect(gatewayError(() => verifySdkRequest(missing, { secretOf })).code).toBe(
      'LT_VDXP_HEADER_SIGNATURE_INVALID',
    );
    const stranger = signSdkRequest({ systemId: 'sys.z', secret: 'z' }, 'x', []);
    expect(gatewayError(() => verifySdkRequest(onTheWire(stranger), { secretOf })).code).toBe(
      'LT_VDXP_UNKNOWN_SYSTEM',
    );
  });

  it('accepts an HMAC hex without leading zeros only when configured', () => {
    // Find a timestamp whose HMAC has a byte below 0x10.
    for (let i = 0; i < 1000; i++) {
      const h = signSdkRequest({ systemId: 'sys.a', secret: 'secret-a' }, `t${i}`, []);
      const mac = Buffer.from(h['XroadVnpt-hash-header'], 'hex');
      const unpadded = [...mac].map((b) => b.toString(16)).join('');
      if (unpadded.length === 64) continue;
      const lenient = onTheWire({ ...h, 'XroadVnpt-hash-header': unpadded });
      expect(gatewayError(() => verifySdkRequest(lenient, { secretOf })).code).toBe(
        'LT_VDXP_HEADER_SIGNATURE_INVALID',
      );
      expect(verifySdkRequest(lenient, { secretOf, lenientHex: true }).systemId).toBe('sys.a');
      return;
    }
    throw new Error('no HMAC with a small byte found');
  });
});

const doc = (subject: string) =>
  buildEdxml({
    header: {
      From: { OrganId: A.organId, OrganName: A.name },
      To: [{ OrganId: B.organId }],
      Subject: subject,
      DocumentId: `doc-${subject}`,
    },
  });

describe('the axis client against the simulator (R1.2)', () => {
  let sim: VdxpSimulator;
  let a: AxisClient;
  let b: AxisClient;

  beforeAll(async () => {
    sim = await startVdxpSimulator({
      options: { agencies: [A, B], lenientHex: false, maxFileBytes: 1 << 20 },
    });
    a = axisClient({ ...A, organName: A.name, maxReplyBytes: 1 << 22 }, sim.url, 'axis-a');
    b = axisClient({ ...B, organName: B.name, maxReplyBytes: 1 << 22 }, `${sim.url}/`, 'axis-b');
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await sim?.close();
  });

  it('sends, lists, fetches and acknowledges; statuses flow between agencies', async () => {
    const file = doc('one');
    const docId = await a.sendEdoc(file, [{ OrganId: B.organId, OrganName: 'Nghệ An' }], 'edoc');
    expect(await b.count('edoc')).toBe(1);
    const list = await b.getReceivedEdocList('edoc');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ from: A.organId, to: B.organId, messageType: 'edoc' });
    expect((await b.getEdoc(list[0].docId)).equals(file)).toBe(true);
    await b.updateStatus(list[0].docId, 'done');
    expect(await b.getReceivedEdocList('edoc')).toHaveLength(0);
    const sent = await a.getSentEdocList();
    expect(sent).toContainEqual(
      expect.objectContaining({
        senderDocId: docId,
        receiverDocId: list[0].docId,
        receiveStatus: 'done',
      }),
    );
    // The same file re-sent (the JDK's silent retry) gets the same DocId and no second copy.
    expect(await a.sendEdoc(file, [{ OrganId: B.organId, OrganName: '' }], 'edoc')).toBe(docId);
    expect(await b.count('edoc')).toBe(0);
  });

  it('refuses a receiver it does not know, a body over maxFileBytes, and a reply over maxReplyBytes', async () => {
    expect(
      await a
        .sendEdoc(doc('nobody'), [{ OrganId: '000.00.00.Z99', OrganName: '' }], 'edoc')
        .catch((e: unknown) => e),
    ).toMatchObject({ code: 'LT_VDXP_AXIS_REFUSED', data: { provider: { ErrorCode: '404' } } });
    const small = await startVdxpSimulator({
      options: { agencies: [A, B], lenientHex: false, maxFileBytes: 1024 },
    });
    const toSmall = axisClient({ ...A, organName: '', maxReplyBytes: 1 << 20 }, small.url, 'small');
    try {
      const big = doc('x'.repeat(2000));
      expect(
        await toSmall
          .sendEdoc(big, [{ OrganId: B.organId, OrganName: '' }], 'edoc')
          .catch((e: unknown) => e),
      ).toMatchObject({
        code: 'LT_VDXP_AXIS_REFUSED',
      });
    } finally {
      await toSmall.close();
      await small.close();
    }
    const tight = axisClient({ ...B, organName: '', maxReplyBytes: 1024 }, sim.url, 'tight');
    try {
      await a.sendEdoc(doc('y'.repeat(4000)), [{ OrganId: B.organId, OrganName: '' }], 'edoc');
      const [item] = await b.getReceivedEdocList('edoc');
      expect(await codeOf(tight.getEdoc(item.docId))).toBe('LT_UPSTREAM_BAD_REPLY');
      expect((await b.getEdoc(item.docId)).length).toBeGreaterThan(4000);
      await b.updateStatus(item.docId, 'done');
    } finally {
      await tight.close();
    }
  });

  it('accepts an HMAC without leading zeros only when lenientHex is set', async () => {
    const lenient = await startVdxpSimulator({
      options: { agencies: [A, B], lenientHex: true, maxFileBytes: 1 << 20 },
    });
    try {
      for (let i = 0; i < 1000; i++) {
        const h = signSdkRequest({ systemId: A.systemId, secret: A.secret }, `t${i}`, [
          ['servicetype', 'eDoc'],
          ['messagetype', 'edoc'],
        ]);
        const mac = Buffer.from(h['XroadVnpt-hash-header'], 'hex');
        const unpadded = [...mac].map((x) => x.toString(16)).join('');
        if (unpadded.length === 64) continue;
        const headers = { ...h, 'XroadVnpt-hash-header': unpadded };
        const post = async (url: string) =>
          (
            (await (
              await fetch(`${url}/getReceivedEdocList`, { method: 'POST', headers })
            ).json()) as { ErrorCode: string }
          ).ErrorCode;
        expect(await post(lenient.url)).toBe('0');
        expect(await post(sim.url)).toBe('401');
        return;
      }
      throw new Error('no HMAC with a small byte found');
    } finally {
      await lenient.close();
    }
  });

  it('lists and registers agencies', async () => {
    await a.registerAgency({
      id: '1',
      pcode: '',
      code: '000.00.00.H99',
      name: 'New agency',
      mail: '',
      mobile: '',
      fax: '',
    });
    const agencies = await a.getAgenciesList();
    expect(agencies.map((x) => x.code)).toEqual(
      expect.arrayContaining([A.organId, B.organId, '000.00.00.H99']),
    );
    expect(agencies.find((x) => x.code === A.organId)?.name).toBe(A.name);
  });

  it("a wrong secret gets the axis's FAIL: LT_VDXP_AXIS_REFUSED", async () => {
    const wrong = axisClient(
      { ...A, secret: 'wrong', organName: '', maxReplyBytes: 1 << 20 },
      sim.url,
      'axis-x',
    );
    try {
      const err = await wrong.getReceivedEdocList('edoc').catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'LT_VDXP_AXIS_REFUSED',
        data: { provider: { ErrorCode: '401' } },
      });
    } finally {
      await wrong.close();
    }
  });

  it('a tampered file (hash-file mismatch) is refused by the axis with its 422', async () => {
    const file = doc('tampered');
    const h = signSdkRequest({ systemId: A.systemId, secret: A.secret }, 'x', [
      ['from', A.organId],
      ['to', JSON.stringify([{ OrganId: B.organId, OrganName: '' }])],
      ['servicetype', 'eDoc'],
      ['messagetype', 'edoc'],
      ['hash-file', sdkFileHash(file)],
    ]);
    const res = await fetch(`${sim.url}/sendEdoc`, {
      method: 'POST',
      headers: h,
      body: Buffer.concat([file, Buffer.from('<!-- changed -->')]),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'FAIL',
      ErrorCode: '422',
      ErrorDesc: 'hash-file does not match',
      DocId: '',
    });
  });

  it('an HTML error page or a cut-off reply is an error, never an empty mailbox', async () => {
    sim.faults.set({ errorRate: 1, onlyFor: ['getReceivedEdocList'] });
    expect(await codeOf(b.getReceivedEdocList('edoc'))).toBe('LT_UPSTREAM_BAD_REPLY');
    sim.faults.set({ garbageRate: 1, onlyFor: ['getReceivedEdocList'] });
    expect(await codeOf(b.getReceivedEdocList('edoc'))).toBe('LT_UPSTREAM_BAD_REPLY');
    sim.faults.set({ faultRate: 1, onlyFor: ['getReceivedEdocList'] });
    expect(await codeOf(b.getReceivedEdocList('edoc'))).toBe('LT_VDXP_AXIS_REFUSED');
    sim.faults.set({});
    expect(await b.getReceivedEdocList('edoc')).toEqual([]);
  });

  /** A client of agency B through the LGSP variant. */
  const lgspClient = (consumerSecret: string) =>
    axisClient(
      {
        organId: B.organId,
        organName: B.name,
        systemId: '',
        secret: '',
        maxReplyBytes: 1 << 20,
        lgsp: {
          basePath: '/truclienthong/v1.0.0',
          tokenPath: '/token',
          consumerKey: 'ck-b',
          consumerSecret,
          secretDonVi: 'secret-b',
        },
      },
      sim.url,
      'lgsp-b',
    );

  it('speaks the WSO2-fronted LGSP variant with a bearer token', async () => {
    const lgsp = lgspClient('cs-b');
    try {
      const file = doc('via lgsp');
      await a.sendEdoc(file, [{ OrganId: B.organId, OrganName: '' }], 'edoc');
      const list = await lgsp.getReceivedEdocList('edoc');
      expect(list).toHaveLength(1);
      expect((await lgsp.getEdoc(list[0].docId)).equals(file)).toBe(true);
      await lgsp.updateStatus(list[0].docId, 'done');
      expect(await lgsp.getReceivedEdocList('edoc')).toHaveLength(0);
      const back = await lgsp.sendEdoc(
        doc('answer'),
        [{ OrganId: A.organId, OrganName: '' }],
        'edoc',
      );
      expect(back).toMatch(/-/);
    } finally {
      await lgsp.close();
    }
    const bad = lgspClient('wrong');
    try {
      expect(await codeOf(bad.getReceivedEdocList('edoc'))).toBe('LT_UPSTREAM_AUTH');
    } finally {
      await bad.close();
    }
  });
});

describe('lienthong simulate vdxp', () => {
  it('starts with two demo agencies whose secrets are made at start, and shows its mailboxes', async () => {
    const { builtinAdapters } = await import('../../../adapters/index.js');
    const { startStandaloneSimulator } = await import('../../../src/simulator/standalone.js');
    const { pino } = await import('pino');
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const sim = await startStandaloneSimulator(builtinAdapters(), {
      adapter: 'vdxp',
      host: '127.0.0.1',
      port: 0,
      options: {},
      log,
    });
    try {
      const demo = JSON.parse(lines.find((l) => l.includes('demo agencies'))!) as {
        agencies: { organId: string; systemId: string; secret: string }[];
      };
      expect(demo.agencies.map((a) => a.organId)).toEqual(['000.00.00.H57', '000.00.00.H41']);
      expect(demo.agencies[0].secret).toMatch(/^[0-9a-f]{32}$/);
      const [first] = demo.agencies;
      const client = axisClient(
        {
          organId: first.organId,
          organName: '',
          systemId: first.systemId,
          secret: first.secret,
          maxReplyBytes: 1 << 20,
        },
        sim.url,
        'demo',
      );
      try {
        expect((await client.getAgenciesList()).map((a) => a.code)).toHaveLength(2);
      } finally {
        await client.close();
      }
      const view = (await (await fetch(`${sim.url}/__sim/mailboxes`)).json()) as {
        agencies: object[];
      };
      expect(JSON.stringify(view)).not.toContain(first.secret);
      expect(view.agencies).toHaveLength(2);
    } finally {
      await sim.close();
    }
  });
});
