import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { checkSchema, formatPath } from '../config/validate.js';
import { GatewayError, fail } from '../message/errors.js';
import type { CallerGrant } from '../message/message.js';
import { hashSecret, verifySecret } from '../security/secret.js';
import type { TSchema, Static } from '@sinclair/typebox';
import { outsideJurisdiction } from './jurisdiction.js';
import { activationProblem, transitionProblem } from './lifecycle.js';
import {
  DataErrorInputSchema,
  type Account,
  type ApprovalSchema,
  type ChangeBy,
  type Connection,
  type ConnectionState,
  type DataErrorReport,
  type Grant,
  type Organisation,
  type RefusalRecord,
  type RegisteredClient,
} from './model.js';
import { NO_NOTIFIER, type RefusalNotifier } from './notifier.js';
import { PolicyRepo, type PolicyChange, type SessionRow } from './repo.js';
import { PolicySnapshot, type DecisionRequest } from './snapshot.js';

export interface PolicyOptions {
  log: Logger;
  /** How often every instance checks the store's generation; 0: never (one instance, tests). */
  reloadIntervalMs: number;
  /** Open data-error reports an organisation may have at once; absent: 1,000. */
  maxOpenDataErrorsPerOrg?: number;
  /** Login refused once an account's secret is older (R11); 0 or absent: not enforced. */
  accountSecretMaxAgeDays?: number;
  notifier?: RefusalNotifier;
  now?: () => number;
}

/** An organisation as written: the flags with defaults may be left out (the schema fills them). */
export type OrganisationInput = Omit<Organisation, 'ready' | 'accountsRequired'> &
  Partial<Pick<Organisation, 'ready' | 'accountsRequired'>>;

/**
 * An account's login or logout (R7.2). The sharing log subscribes to
 * `session` events, and to `refusal` events for the policy's refusals (R8).
 */
export type SessionEvent = SessionRow;

/**
 * The policy of this instance: an in-memory snapshot for the pipeline's
 * decisions, and the writes of the admin API and CLI, each stored with who
 * and why and followed by an immediate reload here; other instances see the
 * generation change on their next poll.
 */
export class PolicyService extends EventEmitter<{
  session: [SessionEvent];
  refusal: [RefusalRecord];
  change: [PolicyChange];
}> {
  private snap: PolicySnapshot;
  private timer?: NodeJS.Timeout;
  private reloading?: Promise<void>;
  private readonly now: () => number;
  private readonly notifier: RefusalNotifier;

  constructor(
    readonly repo: PolicyRepo,
    private readonly o: PolicyOptions,
  ) {
    super();
    repo.onChange = (c) => this.emit('change', c);
    this.now = o.now ?? Date.now;
    this.notifier = o.notifier ?? NO_NOTIFIER;
    this.snap = new PolicySnapshot({
      generation: -1,
      organisation: [],
      connection: [],
      grant: [],
      client: [],
      account: [],
    });
  }

  get snapshot(): PolicySnapshot {
    return this.snap;
  }

  /** Loads the snapshot, then polls the generation every `reloadIntervalMs`. */
  async start(): Promise<void> {
    await this.reload();
    if (this.o.reloadIntervalMs > 0) {
      this.timer = setInterval(() => {
        void this.reloadIfChanged().catch((err) =>
          this.o.log.warn({ err }, 'policy reload failed: keeping the previous snapshot'),
        );
      }, this.o.reloadIntervalMs);
      this.timer.unref();
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.notifier.close();
  }

  /** Reloads when another instance (or the CLI) changed the policy. */
  async reloadIfChanged(): Promise<boolean> {
    if ((await this.repo.generation()) === this.snap.generation) return false;
    await this.reload();
    return true;
  }

  /** Concurrent calls share one load; a snapshot is replaced whole, never patched. */
  async reload(): Promise<void> {
    this.reloading ??= (async () => {
      try {
        const docs = await this.repo.load();
        const before = this.snap.generation;
        this.snap = new PolicySnapshot(docs);
        if (before !== docs.generation)
          this.o.log.info({ generation: docs.generation }, 'policy loaded');
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  /** The pipeline's question (authorize stage); a refusal is recorded and notified, then thrown. */
  decide(req: DecisionRequest, exchangeId?: string): CallerGrant {
    try {
      return this.snap.decide(req);
    } catch (err) {
      if (err instanceof GatewayError) this.refused(req, err, exchangeId);
      throw err;
    }
  }

  private refused(req: DecisionRequest, err: GatewayError, exchangeId?: string): void {
    const record: RefusalRecord = {
      at: new Date(req.now).toISOString(),
      code: err.code,
      reason: err.detail ?? err.spec.en,
      exchangeId,
      route: req.routeId,
      service: req.service,
      purpose: req.purpose,
      clientId: req.caller.clientId,
      orgId: req.caller.orgId,
      ip: req.caller.ip,
      connection: err.data?.connection as string | undefined,
      grant: err.data?.grant as string | undefined,
    };
    // Never on the caller's path: the refusal is answered whether or not the store or the webhook keep up.
    this.repo
      .addRefusal(record)
      .catch((e) => this.o.log.warn({ err: e, code: err.code }, 'refusal not recorded'));
    this.notifier.notify(record);
    this.emit('refusal', record);
  }

  // ---- organisations -----------------------------------------------------------

  async addOrganisation(org: OrganisationInput, by: ChangeBy): Promise<Organisation> {
    return this.written(this.repo.put('organisation', org as Organisation, 'create', by, 'create'));
  }

  async updateOrganisation(org: OrganisationInput, by: ChangeBy): Promise<Organisation> {
    return this.written(this.repo.put('organisation', org as Organisation, 'update', by, 'update'));
  }

  // ---- connections -------------------------------------------------------------

  async addConnection(
    input: Pick<Connection, 'id' | 'consumer' | 'provider' | 'path' | 'approval'>,
    by: ChangeBy,
  ): Promise<Connection> {
    await this.mustExist('organisation', input.consumer);
    await this.mustExist('organisation', input.provider);
    const c: Connection = { ...input, state: 'registered', history: [] };
    return this.written(this.repo.put('connection', c, 'create', by, 'create'));
  }

  async setApproval(
    id: string,
    approval: Static<typeof ApprovalSchema>,
    by: ChangeBy,
  ): Promise<Connection> {
    const c = await this.mustExist('connection', id);
    return this.written(this.repo.put('connection', { ...c, approval }, 'approve', by, 'update'));
  }

  async changeConnection(
    id: string,
    change: { to: ConnectionState; reason: string; case?: Connection['history'][number]['case'] },
    by: ChangeBy,
  ): Promise<Connection> {
    const c = await this.mustExist('connection', id);
    const bad = transitionProblem(c, change.to);
    if (bad) fail('LT_POLICY_BAD_TRANSITION', `connection ${id}: ${bad}`);
    const unapproved = activationProblem(c, change.to);
    if (unapproved) fail('LT_POLICY_APPROVAL_REQUIRED', `connection ${id}: ${unapproved}`);
    const next: Connection = {
      ...c,
      state: change.to,
      reason: change.reason,
      history: [
        ...c.history,
        {
          from: c.state,
          to: change.to,
          reason: change.reason,
          ...(change.case ? { case: change.case } : {}),
          who: by.who,
          at: new Date(this.now()).toISOString(),
        },
      ],
    };
    return this.written(this.repo.put('connection', next, change.to, by, 'update'));
  }

  // ---- grants ------------------------------------------------------------------

  /** R10.3: refused with LT_POLICY_WRONG_JURISDICTION when the approver may not approve this consumer. */
  async addGrant(g: Grant, by: ChangeBy): Promise<Grant> {
    const c = await this.mustExist('connection', g.connection);
    const consumer = await this.mustExist('organisation', c.consumer);
    const outside = outsideJurisdiction(g.approvedBy, consumer);
    if (outside) fail('LT_POLICY_WRONG_JURISDICTION', `grant ${g.id}: ${outside}`);
    if (!(Date.parse(g.validFrom) < Date.parse(g.validTo)))
      fail('LT_POLICY_INPUT_INVALID', `grant ${g.id}: validFrom must be before validTo`);
    const { revoked: _ignored, ...fresh } = g;
    return this.written(this.repo.put('grant', fresh, 'create', by, 'create'));
  }

  async revokeGrant(id: string, reason: string, by: ChangeBy): Promise<Grant> {
    const g = await this.mustExist('grant', id);
    const revoked = { reason, who: by.who, at: new Date(this.now()).toISOString() };
    return this.written(this.repo.put('grant', { ...g, revoked }, 'revoke', by, 'update'));
  }

  // ---- registered clients (system credentials) ------------------------------

  async registerClient(
    input: {
      id: string;
      org: string;
      name?: string;
      secret: string;
      roles?: RegisteredClient['roles'];
      subsystem?: string;
    },
    by: ChangeBy,
  ): Promise<RegisteredClient> {
    await this.mustExist('organisation', input.org);
    const { secret, ...rest } = input;
    const c: RegisteredClient = {
      name: '',
      roles: [],
      ...rest,
      secretHash: await hashSecret(secretOf(secret)),
      status: 'active',
    };
    return this.written(this.repo.put('client', c, 'register', by, 'create'));
  }

  async revokeClient(id: string, by: ChangeBy): Promise<RegisteredClient> {
    const c = await this.mustExist('client', id);
    return this.written(
      this.repo.put('client', { ...c, status: 'revoked' }, 'revoke', by, 'update'),
    );
  }

  // ---- accounts (R10.4) ------------------------------------------------------

  async issueAccount(
    input: Omit<Account, 'secretHash' | 'secretSetAt' | 'status'> & { secret: string },
    by: ChangeBy,
  ): Promise<Account> {
    await this.mustExist('organisation', input.org);
    const { secret, ...rest } = input;
    const a: Account = {
      ...rest,
      secretHash: await hashSecret(secretOf(secret)),
      secretSetAt: new Date(this.now()).toISOString(),
      status: 'active',
    };
    return this.written(this.repo.put('account', a, 'issue', by, 'create'));
  }

  async adjustAccount(
    id: string,
    change: { requestRef: string; roles?: string[]; services?: string[]; secret?: string },
    by: ChangeBy,
  ): Promise<Account> {
    const a = await this.mustExist('account', id);
    if (a.status === 'revoked') fail('LT_POLICY_BAD_TRANSITION', `account ${id} is revoked`);
    const next: Account = {
      ...a,
      requestRef: change.requestRef,
      ...(change.roles ? { roles: change.roles } : {}),
      ...(change.services ? { services: change.services } : {}),
    };
    if (change.secret !== undefined) {
      next.secretHash = await hashSecret(secretOf(change.secret));
      next.secretSetAt = new Date(this.now()).toISOString();
    }
    return this.written(this.repo.put('account', next, 'adjust', by, 'update'));
  }

  async revokeAccount(id: string, requestRef: string, by: ChangeBy): Promise<Account> {
    const a = await this.mustExist('account', id);
    return this.written(
      this.repo.put('account', { ...a, requestRef, status: 'revoked' }, 'revoke', by, 'update'),
    );
  }

  /** R7.2: an officer's login, recorded with the client address; LT_AUTH_INVALID_CLIENT when refused. */
  async login(accountId: string, secret: string, ip: string): Promise<Account> {
    const a = this.snap.accounts.get(accountId);
    const ok = await verifySecret(secret, a?.secretHash ?? DUMMY_HASH);
    if (!a || !ok || a.status !== 'active')
      fail('LT_AUTH_INVALID_CLIENT', 'account or secret is wrong, or the account is revoked');
    const maxDays = this.o.accountSecretMaxAgeDays ?? 0;
    if (maxDays > 0 && this.now() - Date.parse(a.secretSetAt) > maxDays * 86_400_000)
      fail(
        'LT_POLICY_ACCOUNT_SECRET_EXPIRED',
        `the secret of account ${a.id} was set ${a.secretSetAt}; it must be changed every ${maxDays} days`,
      );
    await this.session(accountId, 'login', ip);
    return a;
  }

  async logout(accountId: string, ip: string): Promise<void> {
    if (!this.snap.accounts.has(accountId)) fail('LT_POLICY_NOT_FOUND', `no account ${accountId}`);
    await this.session(accountId, 'logout', ip);
  }

  private async session(accountId: string, event: 'login' | 'logout', ip: string): Promise<void> {
    const row: SessionRow = { at: new Date(this.now()).toISOString(), accountId, event, ip };
    await this.repo.addSession(row);
    this.emit('session', row);
  }

  // ---- data-error reports (R12) ---------------------------------------------

  /** A consumer's report; the provider is the one of the reporter's grant for that service, if any. */
  async reportDataError(
    input: unknown,
    reporter: { clientId: string; orgId: string },
  ): Promise<DataErrorReport> {
    const r = validInput(DataErrorInputSchema, input, 'data-error report');
    // Storage an authenticated caller can fill is bounded: until the provider resolves some.
    const max = this.o.maxOpenDataErrorsPerOrg ?? 1000;
    if ((await this.repo.openDataErrorsOf(reporter.orgId)) >= max)
      fail(
        'LT_POLICY_TOO_MANY_REPORTS',
        `organisation ${reporter.orgId} has ${max} open data-error reports; more are accepted once some are resolved`,
      );
    const provider = this.providerOf(reporter.orgId, r.service);
    const report: DataErrorReport = {
      ...r,
      id: randomUUID(),
      at: new Date(this.now()).toISOString(),
      reporterOrg: reporter.orgId,
      reporterClient: reporter.clientId,
      provider,
      status: 'open',
    };
    await this.repo.putDataError(report, 'create');
    return report;
  }

  async resolveDataError(id: string, note: string, by: ChangeBy): Promise<DataErrorReport> {
    const r = await this.repo.dataError(id);
    if (!r) fail('LT_POLICY_NOT_FOUND', `no data-error report ${id}`);
    const resolved: DataErrorReport = {
      ...r,
      status: 'resolved',
      resolution: { note, who: by.who, at: new Date(this.now()).toISOString() },
    };
    await this.repo.putDataError(resolved, 'update');
    return resolved;
  }

  private providerOf(orgId: string, service: string): string {
    for (const g of this.snap.grants.values()) {
      const c = this.snap.connections.get(g.connection);
      if (g.service === service && c?.consumer === orgId) return c.provider;
    }
    return '';
  }

  // ---- helpers ---------------------------------------------------------------

  private async mustExist<K extends 'organisation' | 'connection' | 'grant' | 'client' | 'account'>(
    kind: K,
    id: string,
  ) {
    const doc = await this.repo.get(kind, id);
    if (!doc) fail('LT_POLICY_NOT_FOUND', `no ${kind} ${id}`);
    return doc;
  }

  /** After a write this instance answers from the new policy at once. */
  private async written<T>(write: Promise<T>): Promise<T> {
    const v = await write;
    await this.reload();
    return v;
  }
}

/** Secrets of registered clients and accounts: at least 12 characters (R11, strong passwords). */
function secretOf(secret: string): string {
  if (typeof secret !== 'string' || secret.length < 12 || secret.length > 256)
    fail('LT_POLICY_INPUT_INVALID', 'a secret has 12 to 256 characters');
  return secret;
}

/** Checks an input against its schema; LT_POLICY_INPUT_INVALID naming each problem. */
export function validInput<T extends TSchema>(schema: T, value: unknown, what: string): Static<T> {
  const r = checkSchema(schema, value);
  if (!r.ok)
    fail(
      'LT_POLICY_INPUT_INVALID',
      `${what}: ${r.issues.map((i) => `${formatPath(i.path)} ${i.message}`).join('; ')}`,
    );
  return r.value;
}

/** A valid scrypt hash of a random string, compared against when the account is unknown. */
const DUMMY_HASH =
  'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$0vLq3n4y1Q3y6m8VwJ2b2m8y3d1p7h5k4x9c2a6f0e8=';
