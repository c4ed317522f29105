import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashSecret } from '../../src/security/secret.js';
import { demoToken, startTestGateway, type TestGateway } from '../helpers/gateway.js';

// Issue 19 (policy), through the gateway's real port against the NPD simulator:
// the admin API builds the model, and each refusal comes with its code and reason
// (R6, R8, R10.3, R11); the dispute authority's webhook receives the records.
let gw: TestGateway;
let admin: string;
let citizenId: string;
let hook: Server;
const hooked: Record<string, unknown>[] = [];

const ADMIN_SECRET = 'admin-secret-for-tests';
const STRANGER_SECRET = 'stranger-secret-for-tests';
const NPD_AUTHORITY = '000.00.00.G01';
const PROVINCIAL = '000.26.00.H01'; // a provincial agency of province 26 (fake)
const EXPIRED_ORG = '000.26.00.H02';
const hour = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hooked.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/refusals`;
  gw = await startTestGateway({
    clients: [
      {
        id: 'demo',
        // demo-secret, as in lienthong.yaml: the unprojected reply to compare with
        secretHash:
          'scrypt$16384$8$1$N5bdVuTO0bNy/Z4csNWldw==$/Vi9FqV5VSo8zUgudQmkW2I3VoW5q+Hm93gkC+17sug=',
        orgId: '000.00.00.H57',
        routes: ['*'],
      },
      {
        id: 'operator',
        secretHash: await hashSecret(ADMIN_SECRET),
        orgId: NPD_AUTHORITY,
        routes: [],
        roles: ['admin'],
      },
      // A client the config knows but the policy model does not register.
      {
        id: 'stranger',
        secretHash: await hashSecret(STRANGER_SECRET),
        orgId: '000.99.00.H99',
        routes: [],
      },
    ],
    policy: { reloadIntervalMs: 0, disputeWebhook: { url: hookUrl, backoffMs: 10 } },
  });
  admin = await demoToken(gw.url, 'operator', ADMIN_SECRET);
  const sim = gw.simulators.get('npd')!.url;
  const list = (await (await fetch(`${sim}/__sim/citizens?limit=1&status=1`)).json()) as {
    items: { idNumber: string }[];
  };
  citizenId = list.items[0].idNumber;

  // The model: two organisations consuming from the NPD authority.
  await adm('POST', '/admin/organisations', {
    id: NPD_AUTHORITY,
    name: 'NPD authority (test)',
    level: 'central',
    kind: 'state-agency',
  });
  for (const id of [PROVINCIAL, EXPIRED_ORG])
    await adm('POST', '/admin/organisations', {
      id,
      name: `Provincial agency ${id}`,
      level: 'provincial',
      province: '26',
      kind: 'state-agency',
      focalPoint: {
        name: 'Nguyen Van A',
        position: 'Head of IT',
        phone: '0200000000',
        email: 'it@example.invalid',
      },
    });
  for (const [conn, consumer] of [
    ['c-prov', PROVINCIAL],
    ['c-old', EXPIRED_ORG],
  ]) {
    await adm('POST', '/admin/connections', {
      id: conn,
      consumer,
      provider: NPD_AUTHORITY,
      path: 'lgsp',
    });
    await adm('POST', `/admin/connections/${conn}/state`, { to: 'testing', reason: 'test passed' });
    await adm('POST', `/admin/connections/${conn}/state`, { to: 'active', reason: 'in service' });
  }
  const now = Date.now();
  const grant = {
    service: 'npd.TraCuuThongTinCongDan',
    purposes: ['G15-TP110'],
    // JSON facade names and SOAP facade names (below the reply's operation element).
    fields: ['requestId', 'citizen.idNumber', 'CongDan.SoDinhDanh'],
    approvedBy: { kind: 'provincial-police', province: '26' },
    approver: 'Director, provincial police 26 (test)',
    reference: 'QD-001/TEST',
  };
  await adm('POST', '/admin/grants', {
    ...grant,
    id: 'g-prov',
    connection: 'c-prov',
    validFrom: iso(now - hour),
    validTo: iso(now + 24 * hour),
  });
  await adm('POST', '/admin/grants', {
    ...grant,
    id: 'g-old',
    connection: 'c-old',
    validFrom: iso(now - 48 * hour),
    validTo: iso(now - 24 * hour),
  });
  for (const [id, org] of [
    ['agency-prov', PROVINCIAL],
    ['agency-old', EXPIRED_ORG],
  ])
    await adm('POST', '/admin/clients', { id, org, secret: `${id}-secret-for-tests` });
});

afterAll(async () => {
  await gw?.stop();
  await new Promise((r) => hook?.close(r));
});

async function call(
  method: string,
  path: string,
  body: unknown,
  token: string,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${gw.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined;
  return { status: res.status, json, text };
}

/** An admin call that must succeed. */
async function adm(method: string, path: string, body?: unknown) {
  const r = await call(method, path, body, admin, { 'x-change-reason': 'onboarding (test)' });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  return r.json;
}

const tokenOf = (id: string) => demoToken(gw.url, id, `${id}-secret-for-tests`);
const lookup = (token: string, headers: Record<string, string> = {}) =>
  call(
    'POST',
    '/v1/npd/citizens/lookup',
    { serviceCode: 'G15-TP110', officer: 'canbo01', idNumber: citizenId },
    token,
    headers,
  );
const soapLookup = async (token: string) => {
  const res = await fetch(`${gw.url}/npd`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/xml; charset=utf-8' },
    body: `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:dan="http://dancuquocgia.bca"><soapenv:Header/><soapenv:Body><dan:TraCuuThongTinCongDan><dan:MaYeuCau>R-1</dan:MaYeuCau><dan:MaDVC>G15-TP110</dan:MaDVC><dan:MaCanBo>canbo01</dan:MaCanBo><dan:SoDinhDanh>${citizenId}</dan:SoDinhDanh></dan:TraCuuThongTinCongDan></soapenv:Body></soapenv:Envelope>`,
  });
  return { status: res.status, text: await res.text() };
};

describe('a registered client with a grant (R10, R11)', () => {
  it('gets the granted fields and never a disallowed one, on HTTP JSON', async () => {
    const r = await lookup(await tokenOf('agency-prov'));
    expect(r.status).toBe(200);
    expect(r.json.citizen.idNumber).toBe(citizenId);
    // The simulator answers with a full record; the grant allows the id only.
    expect(Object.keys(r.json.citizen)).toEqual(['idNumber']);
    expect(r.text).not.toContain('fullName');
  });

  it('…and on the SOAP facade, where disallowed elements are removed from the reply', async () => {
    const demo = await soapLookup(await demoToken(gw.url));
    expect(demo.text).toContain('HoVaTen'); // what the full reply carries
    const r = await soapLookup(await tokenOf('agency-prov'));
    expect(r.status).toBe(200);
    expect(r.text).toContain(`SoDinhDanh>${citizenId}<`);
    expect(r.text).not.toContain('HoVaTen');
    expect(r.text).not.toContain('ThuongTru');
  });

  it('is refused a purpose its grant does not name', async () => {
    const r = await lookup(await tokenOf('agency-prov'), { 'x-purpose': 'G99-OTHER' });
    expect(r.status).toBe(403);
    expect(r.json.code).toBe('LT_POLICY_PURPOSE_NOT_GRANTED');
    expect(r.json.detail).toContain('G99-OTHER');
  });

  it('is refused a service it has no grant for', async () => {
    const r = await call(
      'POST',
      '/v1/npd/citizens/household',
      { serviceCode: 'G15-TP110', officer: 'canbo01', idNumber: citizenId },
      await tokenOf('agency-prov'),
    );
    expect(r.status).toBe(403);
    expect(r.json.code).toBe('LT_POLICY_NO_GRANT');
  });
});

describe('refusals with code and reason (R6, R8)', () => {
  it('an unregistered client', async () => {
    const r = await lookup(await demoToken(gw.url, 'stranger', STRANGER_SECRET));
    expect(r.status).toBe(403);
    expect(r.json.code).toBe('LT_POLICY_UNREGISTERED');
    expect(r.json.detail).toContain('000.99.00.H99');
  });

  it('an expired grant', async () => {
    const r = await lookup(await tokenOf('agency-old'));
    expect(r.status).toBe(403);
    expect(r.json.code).toBe('LT_POLICY_GRANT_EXPIRED');
    expect(r.json.detail).toContain('g-old');
  });

  it('a suspended connection, with the reason it was suspended for, until it is active again', async () => {
    const token = await tokenOf('agency-prov');
    await adm('POST', '/admin/connections/c-prov/state', {
      to: 'suspended',
      reason: 'misuse under investigation',
    });
    const r = await lookup(token);
    expect(r.status).toBe(403);
    expect(r.json.code).toBe('LT_POLICY_CONNECTION_SUSPENDED');
    expect(r.json.detail).toContain('misuse under investigation');
    await adm('POST', '/admin/connections/c-prov/state', { to: 'active', reason: 'cleared' });
    expect((await lookup(token)).status).toBe(200);
    const conn = await adm('GET', '/admin/connections/c-prov');
    expect(conn.history.map((h: { to: string }) => h.to)).toEqual([
      'testing',
      'active',
      'suspended',
      'active',
    ]);
  });

  it('a grant from the wrong jurisdiction, when it is created (R10.3)', async () => {
    const now = Date.now();
    const r = await call(
      'POST',
      '/admin/grants',
      {
        id: 'g-wrong',
        connection: 'c-prov',
        service: 'npd.XacThucThongTinCongDan',
        purposes: ['*'],
        fields: ['*'],
        validFrom: iso(now),
        validTo: iso(now + hour),
        approvedBy: { kind: 'provincial-police', province: '01' },
        approver: 'Director, provincial police 01 (test)',
        reference: 'QD-002/TEST',
      },
      admin,
      { 'x-change-reason': 'test' },
    );
    expect(r.status).toBe(422);
    expect(r.json.code).toBe('LT_POLICY_WRONG_JURISDICTION');
    expect(r.json.detail).toContain('province 26');
  });

  it('are listed for the admin and sent to the dispute authority', async () => {
    const list = await adm('GET', '/admin/refusals');
    const codes = list.items.map((i: { code: string }) => i.code);
    expect(codes).toEqual(
      expect.arrayContaining([
        'LT_POLICY_UNREGISTERED',
        'LT_POLICY_GRANT_EXPIRED',
        'LT_POLICY_CONNECTION_SUSPENDED',
      ]),
    );
    for (let i = 0; i < 50 && hooked.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(hooked.map((h) => h.code)).toEqual(expect.arrayContaining(['LT_POLICY_GRANT_EXPIRED']));
    expect(hooked.find((h) => h.code === 'LT_POLICY_GRANT_EXPIRED')).toMatchObject({
      clientId: 'agency-old',
      orgId: EXPIRED_ORG,
      service: 'npd.TraCuuThongTinCongDan',
      grant: 'g-old',
    });
  });
});

describe('the admin API', () => {
  it('is for the admin role only', async () => {
    const r = await call('GET', '/admin/organisations', undefined, await tokenOf('agency-prov'));
    expect(r.status).toBe(403);
    expect(r.json.code).toBe('LT_ADMIN_FORBIDDEN');
    const anon = await fetch(`${gw.url}/admin/organisations`);
    expect(((await anon.json()) as { code: string }).code).toBe('LT_AUTH_MISSING');
  });

  it('records who made each change and why, and never shows a secret hash', async () => {
    const h = await adm('GET', '/admin/history?kind=connection&id=c-prov');
    expect(h.items[0]).toMatchObject({
      who: 'operator',
      why: 'onboarding (test)',
      kind: 'connection',
    });
    const clients = await adm('GET', '/admin/clients');
    expect(JSON.stringify(clients)).not.toContain('scrypt$');
    const r = await call('POST', '/admin/organisations', { id: '000.26.00.H09' }, admin);
    expect(r.json.code).toBe('LT_POLICY_INPUT_INVALID'); // no X-Change-Reason, and incomplete
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${gw.url}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/admin/grants', '/admin/connections/{id}/state', '/v1/data-errors']),
    );
  });
});

describe('data-error reports (R12)', () => {
  it('a consumer reports, the provider side lists and resolves', async () => {
    const token = await tokenOf('agency-prov');
    const bad = await call('POST', '/v1/data-errors', { service: 'x' }, token);
    expect(bad.json.code).toBe('LT_POLICY_INPUT_INVALID');
    const r = await call(
      'POST',
      '/v1/data-errors',
      {
        service: 'npd.TraCuuThongTinCongDan',
        recordRef: 'R-1',
        field: 'citizen.birthDate',
        description: 'birth date differs from the civil-status register',
      },
      token,
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ provider: NPD_AUTHORITY, status: 'open' });
    const open = await adm('GET', `/admin/data-errors?provider=${NPD_AUTHORITY}&status=open`);
    expect(open.items.map((i: { id: string }) => i.id)).toContain(r.json.id);
    const done = await adm('POST', `/admin/data-errors/${r.json.id}/resolve`, {
      note: 'corrected',
    });
    expect(done).toMatchObject({ status: 'resolved', resolution: { who: 'operator' } });
  });
});
