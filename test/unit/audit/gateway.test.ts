import { afterAll, describe, expect, it } from '@jest/globals';
import { SqliteAuditBackend } from '../../../src/audit/sqlite.js';
import { demoToken, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { join } from 'node:path';
import { TRACUU } from '../../../bench/fixtures.js';
import { subjectDigest } from '../../../src/audit/subjects.js';

/**
 * The gateway's sharing log as configured: `audit.enabled`, the retention a
 * record is given (`audit.retentionDays`, a route's `audit.retentionDays`),
 * and requests refused before any route (the refusal hook).
 */
const DAY = 86_400_000;
const gateways: TestGateway[] = [];
afterAll(async () => {
  for (const g of gateways) await g.stop();
});

async function recordsOf(gw: TestGateway) {
  const b = new SqliteAuditBackend(join(gw.dir, 'store.db'));
  await b.init();
  try {
    return (await b.query({})).map((r) => JSON.parse(r.body) as Record<string, any>);
  } finally {
    await b.close();
  }
}

const connectionTest = async (gw: TestGateway) => {
  const res = await fetch(`${gw.url}/v1/connection-test`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await demoToken(gw.url)}`,
      'content-type': 'application/json',
    },
    body: '{"message":"xin chao"}',
  });
  expect(res.status).toBe(200);
  return res.headers.get('x-request-id');
};

describe('the gateway and its sharing log', () => {
  it('records officer logins and logouts with their IP (R7.2) and policy changes with who and why', async () => {
    const gw = await startTestGateway({ policy: { reloadIntervalMs: 0 } });
    gateways.push(gw);
    const by = { who: 'nguyen.van.a', why: 'onboarding CV-7' };
    await gw.policy.addOrganisation(
      {
        id: '000.26.00.H77',
        name: 'Agency (test)',
        level: 'provincial',
        province: '26',
        kind: 'state-agency',
      },
      by,
    );
    await gw.policy.issueAccount(
      {
        id: 'canbo77',
        org: '000.26.00.H77',
        officer: 'Tran Thi B',
        roles: ['lookup'],
        services: ['npd.TraCuuThongTinCongDan'],
        requestRef: 'CV-7',
        secret: 'a-long-secret-77',
      },
      by,
    );
    await gw.policy.login('canbo77', 'a-long-secret-77', '10.1.2.3');
    await gw.policy.logout('canbo77', '10.1.2.4');
    await new Promise((r) => setTimeout(r, 100));
    const recs = await recordsOf(gw);
    const admin = recs.filter((r) => r.kind === 'admin');
    expect(admin.map((r) => [r.detail.kind, r.detail.id, r.detail.who, r.detail.why])).toEqual([
      ['organisation', '000.26.00.H77', by.who, by.why],
      ['account', 'canbo77', by.who, by.why],
    ]);
    expect(
      recs
        .filter((r) => r.kind === 'login' || r.kind === 'logout')
        .map((r) => [r.kind, r.officer, r.ip]),
    ).toEqual([
      ['login', 'canbo77', '10.1.2.3'],
      ['logout', 'canbo77', '10.1.2.4'],
    ]);
  });

  it('records exchanges with the configured retention, and refusals before any route', async () => {
    const gw = await startTestGateway({ audit: { retentionDays: 120 } });
    gateways.push(gw);
    const id = await connectionTest(gw);
    const miss = await fetch(`${gw.url}/nowhere`);
    const badLogin = await fetch(`${gw.url}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('demo:wrong').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(badLogin.status).toBe(401);
    expect(miss.status).toBe(404);
    // Best-effort routes' records land with the next batch.
    await new Promise((r) => setTimeout(r, 100));
    const recs = await recordsOf(gw);
    const ex = recs.find((r) => r.requestId === id)!;
    expect(ex).toMatchObject({
      kind: 'exchange',
      route: 'connection-test',
      code: 'OK',
      client: 'demo',
      org: '000.00.00.H57',
    });
    expect(ex.keepUntil - ex.at).toBe(120 * DAY);
    expect(recs.find((r) => r.requestId === miss.headers.get('x-request-id'))).toMatchObject({
      kind: 'refusal',
      code: 'LT_ROUTE_NOT_FOUND',
      detail: { stage: 'pre-route', path: '/nowhere' },
    });
    // A refused login at /token is recorded too, with its IP.
    expect(recs.find((r) => r.requestId === badLogin.headers.get('x-request-id'))).toMatchObject({
      kind: 'refusal',
      code: 'LT_AUTH_INVALID_CLIENT',
      ip: '127.0.0.1',
      detail: { stage: 'token' },
    });
    expect(gw.audit?.writerId).toBe(ex.writer);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/^lienthong_audit_records_total\{outcome="written"\} [1-9]/m);
    expect(metrics).toMatch(/^lienthong_audit_batches_total [1-9]/m);
  });

  it('a SOAP lookup is recorded before its answer, with the officer and the citizen digest read from the XML', async () => {
    const gw = gateways[0];
    const sim = gw.simulators.get('npd')!.url;
    const list = (await (await fetch(`${sim}/__sim/citizens?limit=1&status=1`)).json()) as {
      items: { idNumber: string }[];
    };
    const id = list.items[0].idNumber;
    const res = await fetch(`${gw.url}/npd`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await demoToken(gw.url)}`,
        'content-type': 'text/xml; charset=utf-8',
        soapaction: '""',
      },
      body: TRACUU(id),
    });
    expect(res.status).toBe(200);
    // Required (an NPD route): no waiting needed, the record was durable before the answer.
    const rec = (await recordsOf(gw)).find((r) => r.requestId === res.headers.get('x-request-id'))!;
    expect(rec).toMatchObject({
      channel: 'soap',
      route: 'npd-soap-lookup',
      officer: 'canbo01',
      code: 'OK',
      subjects: [subjectDigest(gw.config.audit.subjectKey!, id)],
    });
    expect(JSON.stringify(rec)).not.toContain(id);
  });

  it('audit.enabled: false writes no log', async () => {
    const gw = await startTestGateway({ audit: { enabled: false } });
    gateways.push(gw);
    expect(gw.audit).toBeUndefined();
    await connectionTest(gw);
    expect(await recordsOf(gw)).toEqual([]);
  });
});
