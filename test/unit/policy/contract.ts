import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { Caller } from '../../../src/message/message.js';
import { PolicyRepo } from '../../../src/policy/repo.js';
import { PolicyService } from '../../../src/policy/service.js';
import type { Store } from '../../../src/store/store.js';
import { codeOf } from '../../helpers/errors.js';

const log = pino({ level: 'silent' });
const by = { who: 'tester', why: 'contract test' };
const NPD = '000.00.00.G01';
const PROV = '000.26.00.H01';
const NOTARY = '000.26.00.N01';
const ESIGN = '000.00.00.S01';
const day = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const caller = (orgId: string, clientId = 'c1'): Caller => ({ clientId, orgId, routes: new Set() });

/**
 * The policy model's behaviour on a store backend: the same suite runs on
 * SQLite (unit) and on the real PostgreSQL (integration). `makeStore` returns
 * new, uninitialised stores sharing one database.
 */
export function describePolicyContract(name: string, makeStore: () => Store): void {
  describe(`policy model on ${name}`, () => {
    const stores: Store[] = [];
    let a: PolicyService; // the instance the admin writes through
    let b: PolicyService; // another instance, polling
    const open = async () => {
      const s = makeStore();
      await s.init();
      stores.push(s);
      const p = new PolicyService(new PolicyRepo(s), { log, reloadIntervalMs: 0 });
      await p.start();
      return p;
    };

    beforeAll(async () => {
      a = await open();
      b = await open();
      await a.addOrganisation(
        { id: NPD, name: 'NPD', level: 'central', kind: 'state-agency', ready: true },
        by,
      );
      await a.addOrganisation(
        {
          id: PROV,
          name: 'Provincial agency',
          level: 'provincial',
          province: '26',
          kind: 'state-agency',
          ready: false,
        },
        by,
      );
      await a.addOrganisation(
        {
          id: NOTARY,
          name: 'Notary office',
          level: 'provincial',
          province: '26',
          kind: 'notary',
          ready: false,
        },
        by,
      );
      await a.addOrganisation(
        {
          id: ESIGN,
          name: 'Signature provider',
          level: 'central',
          kind: 'digital-signature-provider',
          ready: false,
        },
        by,
      );
      await a.addConnection({ id: 'c1', consumer: PROV, provider: NPD, path: 'ndxp' }, by);
    });

    afterAll(async () => {
      await Promise.all([a?.close(), b?.close()]);
      for (const s of stores) await s.close();
    });

    const grant = (id: string, over: Record<string, unknown> = {}) => ({
      id,
      connection: 'c1',
      service: 'npd.TraCuuThongTinCongDan',
      purposes: ['G15-TP110'],
      fields: ['citizen.idNumber'],
      validFrom: iso(Date.now() - day),
      validTo: iso(Date.now() + day),
      approvedBy: { kind: 'provincial-police' as const, province: '26' },
      approver: 'Director',
      reference: 'QD-1',
      ...over,
    });
    /** `purpose: null` states none (undefined would take the default). */
    const decide = (p: PolicyService, orgId = PROV, purpose: string | null = 'G15-TP110') =>
      p.decide({
        caller: caller(orgId),
        routeId: 'r',
        service: 'npd.TraCuuThongTinCongDan',
        purpose: purpose ?? undefined,
        now: Date.now(),
      });

    it('refuses an id that exists and a record that fails its schema', async () => {
      expect(
        await codeOf(
          a.addOrganisation(
            { id: NPD, name: 'x', level: 'central', kind: 'telco', ready: false },
            by,
          ),
        ),
      ).toBe('LT_POLICY_CONFLICT');
      expect(
        await codeOf(
          a.addOrganisation(
            { id: '12345', name: 'x', level: 'central', kind: 'telco', ready: false },
            by,
          ),
        ),
      ).toBe('LT_POLICY_INPUT_INVALID');
      expect(
        await codeOf(
          a.addConnection({ id: 'c9', consumer: '000.11.00.H11', provider: NPD, path: 'lgsp' }, by),
        ),
      ).toBe('LT_POLICY_NOT_FOUND');
    });

    it('walks the lifecycle and refuses a transition it does not allow', async () => {
      expect(
        await codeOf(a.changeConnection('c1', { to: 'active', reason: 'skip testing' }, by)),
      ).toBe('LT_POLICY_BAD_TRANSITION');
      await a.changeConnection('c1', { to: 'testing', reason: 'connection test passed' }, by);
      await a.changeConnection('c1', { to: 'active', reason: 'in service' }, by);
      const c = a.snapshot.connections.get('c1')!;
      expect(c.state).toBe('active');
      expect(c.history.map((h) => [h.from, h.to, h.who])).toEqual([
        ['registered', 'testing', 'tester'],
        ['testing', 'active', 'tester'],
      ]);
    });

    it('a connection over another path is not activated without its approval record (R1.3)', async () => {
      await a.addConnection({ id: 'c-other', consumer: PROV, provider: NPD, path: 'other' }, by);
      await a.changeConnection('c-other', { to: 'testing', reason: 'passed' }, by);
      expect(await codeOf(a.changeConnection('c-other', { to: 'active', reason: 'go' }, by))).toBe(
        'LT_POLICY_APPROVAL_REQUIRED',
      );
      await a.setApproval(
        'c-other',
        {
          assessment: 'passed, MPS unit X',
          approver: 'NPD authority',
          date: '2026-01-05',
          reference: 'CV-9',
        },
        by,
      );
      await a.changeConnection('c-other', { to: 'active', reason: 'approved' }, by);
      expect(a.snapshot.connections.get('c-other')!.state).toBe('active');
    });

    it('checks the approver’s jurisdiction when a grant is created (R10.3)', async () => {
      const npdApproved = { approvedBy: { kind: 'npd-authority' as const } };
      expect(await codeOf(a.addGrant(grant('g-npd', npdApproved), by))).toBe(
        'LT_POLICY_WRONG_JURISDICTION',
      );
      expect(
        await codeOf(
          a.addGrant(
            grant('g-01', { approvedBy: { kind: 'provincial-police', province: '01' } }),
            by,
          ),
        ),
      ).toBe('LT_POLICY_WRONG_JURISDICTION');
      // A notary of province 26: its police director; a signature provider: the NPD authority.
      await a.addConnection({ id: 'c-notary', consumer: NOTARY, provider: NPD, path: 'lgsp' }, by);
      await a.addConnection({ id: 'c-esign', consumer: ESIGN, provider: NPD, path: 'ndxp' }, by);
      await a.addGrant(grant('g-notary', { connection: 'c-notary' }), by);
      expect(await codeOf(a.addGrant(grant('g-esign-prov', { connection: 'c-esign' }), by))).toBe(
        'LT_POLICY_WRONG_JURISDICTION',
      );
      await a.addGrant(grant('g-esign', { connection: 'c-esign', ...npdApproved }), by);
      await a.addGrant(grant('g1'), by);
    });

    it('decides from the snapshot, and another instance sees a change once it polls', async () => {
      expect(decide(a)).toMatchObject({
        id: 'g1',
        source: 'model',
        provider: NPD,
        fields: ['citizen.idNumber'],
      });
      expect(await b.reloadIfChanged()).toBe(true);
      expect(decide(b).id).toBe('g1');
      await a.changeConnection('c1', { to: 'suspended', reason: 'audit pending' }, by);
      expect(() => decide(a)).toThrow(
        expect.objectContaining({ code: 'LT_POLICY_CONNECTION_SUSPENDED' }),
      );
      // b still answers from its snapshot until it polls.
      expect(decide(b).id).toBe('g1');
      expect(await b.reloadIfChanged()).toBe(true);
      expect(() => decide(b)).toThrow(
        expect.objectContaining({
          code: 'LT_POLICY_CONNECTION_SUSPENDED',
          detail: expect.stringContaining('audit pending'),
        }),
      );
      expect(await b.reloadIfChanged()).toBe(false);
      await a.changeConnection('c1', { to: 'active', reason: 'cleared' }, by);
    });

    it('refuses a purpose not granted, an expired or future grant, a revoked one', async () => {
      expect(() => decide(a, PROV, 'OTHER')).toThrow(
        expect.objectContaining({ code: 'LT_POLICY_PURPOSE_NOT_GRANTED' }),
      );
      expect(() => decide(a, PROV, null)).toThrow(
        expect.objectContaining({ code: 'LT_POLICY_PURPOSE_NOT_GRANTED' }),
      );
      await a.addConnection({ id: 'c2', consumer: NOTARY, provider: NPD, path: 'vdxp' }, by);
      await a.revokeGrant('g-notary', 'replaced', by);
      expect(() => decide(a, NOTARY)).toThrow(
        expect.objectContaining({ code: 'LT_POLICY_NO_GRANT' }),
      );
      await a.changeConnection('c2', { to: 'testing', reason: 'ok' }, by);
      await a.changeConnection('c2', { to: 'active', reason: 'ok' }, by);
      await a.addGrant(
        grant('g-future', {
          connection: 'c2',
          validFrom: iso(Date.now() + day),
          validTo: iso(Date.now() + 2 * day),
        }),
        by,
      );
      expect(() => decide(a, NOTARY)).toThrow(
        expect.objectContaining({ code: 'LT_POLICY_GRANT_NOT_YET_VALID' }),
      );
      expect(
        await codeOf(
          a.addGrant(
            grant('g-backwards', { validFrom: iso(Date.now()), validTo: iso(Date.now() - 1) }),
            by,
          ),
        ),
      ).toBe('LT_POLICY_INPUT_INVALID');
      // A connection still being tested may use the connection test only.
      await a.addConnection({ id: 'c-esign2', consumer: ESIGN, provider: NPD, path: 'ndxp' }, by);
      expect(() => decide(a, ESIGN)).toThrow(
        expect.objectContaining({ code: 'LT_POLICY_CONNECTION_NOT_ACTIVE' }),
      );
    });

    it('an instance polling every reloadIntervalMs sees another instance’s change by itself', async () => {
      const s = makeStore();
      await s.init();
      stores.push(s);
      const polling = new PolicyService(new PolicyRepo(s), { log, reloadIntervalMs: 20 });
      await polling.start();
      try {
        await a.changeConnection('c1', { to: 'suspended', reason: 'poll test' }, by);
        for (
          let i = 0;
          i < 200 && polling.snapshot.connections.get('c1')?.state !== 'suspended';
          i++
        )
          await new Promise((r) => setTimeout(r, 10));
        expect(polling.snapshot.connections.get('c1')?.state).toBe('suspended');
        await a.changeConnection('c1', { to: 'active', reason: 'poll test over' }, by);
      } finally {
        await polling.close();
      }
    });

    it('a connection in testing may use the connection test, and nothing else, until it is active (R3)', async () => {
      await a.addConnection({ id: 'c-t', consumer: ESIGN, provider: NPD, path: 'ndxp' }, by);
      const npdApproved = { approvedBy: { kind: 'npd-authority' as const }, connection: 'c-t' };
      await a.addGrant(
        grant('g-t-test', { ...npdApproved, service: 'lienthong.ConnectionTest', purposes: ['*'] }),
        by,
      );
      const use = (service: string) => () =>
        a.decide({
          caller: caller(ESIGN),
          routeId: 'r',
          service,
          purpose: 'G15-TP110',
          now: Date.now(),
        });
      expect(use('lienthong.ConnectionTest')).toThrow(
        expect.objectContaining({ code: 'LT_POLICY_CONNECTION_NOT_ACTIVE' }),
      );
      await a.changeConnection('c-t', { to: 'testing', reason: 'testing' }, by);
      expect(use('lienthong.ConnectionTest')().id).toBe('g-t-test');
      // g-esign (service npd…) sits on c-esign, still registered.
      expect(use('npd.TraCuuThongTinCongDan')).toThrow(
        expect.objectContaining({ code: 'LT_POLICY_CONNECTION_NOT_ACTIVE' }),
      );
    });

    it('records refusals with their reason (R8)', async () => {
      const before = (await a.repo.refusals()).length;
      const events: string[] = [];
      a.once('refusal', (r) => events.push(`${r.code} ${r.reason}`));
      expect(() => decide(a, PROV, 'OTHER')).toThrow();
      expect(events).toEqual([
        'LT_POLICY_PURPOSE_NOT_GRANTED purpose "OTHER" is not granted for service npd.TraCuuThongTinCongDan',
      ]);
      // Refusals are stored off the caller's path: an earlier test's may land after
      // `before` was counted, so wait for this one by what it is, not by the count.
      const mine = async () =>
        (await a.repo.refusals({ limit: 50 })).find(
          (r) => r.code === 'LT_POLICY_PURPOSE_NOT_GRANTED' && r.purpose === 'OTHER',
        );
      for (let i = 0; i < 100 && !(await mine()); i++) await new Promise((r) => setTimeout(r, 10));
      expect((await a.repo.refusals()).length).toBeGreaterThan(before);
      expect(await mine()).toMatchObject({
        code: 'LT_POLICY_PURPOSE_NOT_GRANTED',
        orgId: PROV,
        purpose: 'OTHER',
      });
    });

    it('issues, adjusts and revokes accounts, records logins with IP, and keeps history with who and why', async () => {
      const sessions: string[] = [];
      a.on('session', (s) => sessions.push(`${s.event}@${s.ip}`));
      await a.issueAccount(
        {
          id: 'canbo01',
          org: PROV,
          officer: 'Tran Thi B',
          roles: ['lookup'],
          services: ['npd.TraCuuThongTinCongDan'],
          requestRef: 'CV-12',
          secret: 'a-long-secret-1',
        },
        by,
      );
      expect(
        await codeOf(
          a.issueAccount(
            {
              id: 'canbo02',
              org: PROV,
              officer: 'X',
              roles: [],
              services: [],
              requestRef: 'CV-13',
              secret: 'short',
            },
            by,
          ),
        ),
      ).toBe('LT_POLICY_INPUT_INVALID');
      expect(await codeOf(a.login('canbo01', 'wrong-secret-xx', '10.0.0.1'))).toBe(
        'LT_AUTH_INVALID_CLIENT',
      );
      await a.login('canbo01', 'a-long-secret-1', '10.0.0.1');
      await a.logout('canbo01', '10.0.0.1');
      await a.adjustAccount('canbo01', { requestRef: 'CV-14', secret: 'a-long-secret-2' }, by);
      expect(await codeOf(a.login('canbo01', 'a-long-secret-1', '10.0.0.1'))).toBe(
        'LT_AUTH_INVALID_CLIENT',
      );
      await a.revokeAccount('canbo01', 'CV-15', by);
      expect(await codeOf(a.login('canbo01', 'a-long-secret-2', '10.0.0.1'))).toBe(
        'LT_AUTH_INVALID_CLIENT',
      );
      expect(sessions).toEqual(['login@10.0.0.1', 'logout@10.0.0.1']);
      expect((await a.repo.sessions('canbo01')).map((s) => s.event)).toEqual(['logout', 'login']);
      const h = await a.repo.history('account', 'canbo01');
      expect(h.map((r) => r.action)).toEqual(['revoke', 'adjust', 'issue']);
      expect(h[0]).toMatchObject({ who: 'tester', why: 'contract test' });
      expect(JSON.stringify(h)).not.toContain('scrypt$');
    });

    it('an organisation requiring accounts: each request names its active account granted the service (R10.4)', async () => {
      const org = a.snapshot.orgs.get(PROV)!;
      await a.updateOrganisation({ ...org, accountsRequired: true }, by);
      const svc = 'npd.TraCuuThongTinCongDan';
      await a.issueAccount(
        {
          id: 'canbo10',
          org: PROV,
          officer: 'Le Van C',
          roles: [],
          services: [svc],
          requestRef: 'CV-20',
          secret: 'a-long-secret-10',
        },
        by,
      );
      await a.issueAccount(
        {
          id: 'canbo11',
          org: PROV,
          officer: 'Pham Thi D',
          roles: [],
          services: ['other'],
          requestRef: 'CV-21',
          secret: 'a-long-secret-11',
        },
        by,
      );
      await a.issueAccount(
        {
          id: 'canbo12',
          org: NOTARY,
          officer: 'Vo Van E',
          roles: [],
          services: [svc],
          requestRef: 'CV-22',
          secret: 'a-long-secret-12',
        },
        by,
      );
      const as = (officer?: string) => () =>
        a.decide({
          caller: caller(PROV),
          routeId: 'r',
          service: svc,
          purpose: 'G15-TP110',
          officer,
          now: Date.now(),
        });
      expect(as('canbo10')().id).toBe('g1');
      for (const officer of [undefined, 'canbo11', 'canbo12', 'nobody'])
        expect(as(officer)).toThrow(
          expect.objectContaining({ code: 'LT_POLICY_ACCOUNT_NOT_ALLOWED' }),
        );
      await a.revokeAccount('canbo10', 'CV-23', by);
      expect(as('canbo10')).toThrow(
        expect.objectContaining({ code: 'LT_POLICY_ACCOUNT_NOT_ALLOWED' }),
      );
      await a.updateOrganisation({ ...org, accountsRequired: false }, by);
      expect(as(undefined)().id).toBe('g1');
    });

    it('refuses the login of an account whose secret is older than accountSecretMaxAgeDays (R11)', async () => {
      const s = makeStore();
      await s.init();
      stores.push(s);
      let now = Date.now();
      const strict = new PolicyService(new PolicyRepo(s), {
        log,
        reloadIntervalMs: 0,
        accountSecretMaxAgeDays: 90,
        now: () => now,
      });
      await strict.start();
      await strict.issueAccount(
        {
          id: 'canbo20',
          org: PROV,
          officer: 'Dang Van F',
          roles: [],
          services: [],
          requestRef: 'CV-30',
          secret: 'a-long-secret-20',
        },
        by,
      );
      await strict.login('canbo20', 'a-long-secret-20', '10.0.0.2');
      now += 91 * day;
      expect(await codeOf(strict.login('canbo20', 'a-long-secret-20', '10.0.0.2'))).toBe(
        'LT_POLICY_ACCOUNT_SECRET_EXPIRED',
      );
      await strict.adjustAccount(
        'canbo20',
        { requestRef: 'CV-31', secret: 'a-long-secret-21' },
        by,
      );
      await strict.login('canbo20', 'a-long-secret-21', '10.0.0.2');
      await strict.close();
    });

    it('keeps data-error reports for the provider to resolve (R12)', async () => {
      const r = await a.reportDataError(
        {
          service: 'npd.TraCuuThongTinCongDan',
          recordRef: 'R-7',
          field: 'citizen.fullName',
          description: 'misspelt',
        },
        { clientId: 'c1', orgId: PROV },
      );
      expect(r.provider).toBe(NPD);
      expect(
        (await b.repo.dataErrors({ provider: NPD, status: 'open' })).map((x) => x.id),
      ).toContain(r.id);
      await b.resolveDataError(r.id, 'fixed', by);
      expect((await a.repo.dataErrors({ status: 'open' })).map((x) => x.id)).not.toContain(r.id);
      expect(await codeOf(b.resolveDataError('no-such-report', 'x', by))).toBe(
        'LT_POLICY_NOT_FOUND',
      );
    });

    it('bounds the open reports of an organisation (maxOpenDataErrorsPerOrg)', async () => {
      const s = makeStore();
      await s.init();
      stores.push(s);
      const small = new PolicyService(new PolicyRepo(s), {
        log,
        reloadIntervalMs: 0,
        maxOpenDataErrorsPerOrg: 2,
      });
      await small.start();
      const report = () =>
        small.reportDataError(
          { service: 'npd.TraCuuThongTinCongDan', recordRef: 'R', field: 'f', description: 'd' },
          { clientId: 'c9', orgId: ESIGN },
        );
      const first = await report();
      await report();
      expect(await codeOf(report())).toBe('LT_POLICY_TOO_MANY_REPORTS');
      await small.resolveDataError(first.id, 'done', by);
      await report();
      await small.close();
    });
  });
}
