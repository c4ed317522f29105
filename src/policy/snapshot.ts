import { GatewayError, type ErrorCode } from '../message/errors.js';
import type { Caller, CallerGrant } from '../message/message.js';
import type { Connection, Grant, Organisation, RegisteredClient, Account } from './model.js';
import type { PolicyDocs } from './repo.js';

export interface DecisionRequest {
  caller: Caller;
  routeId: string;
  service: string;
  /** What the caller stated (src/policy/purpose.ts); undefined when it stated none. */
  purpose?: string;
  /** The officer account the request names (src/policy/purpose.ts), if any. */
  officer?: string;
  now: number;
}

/** The connection-test service may be used while a connection is being tested (R3). */
export const CONNECTION_TEST_SERVICE = 'lienthong.ConnectionTest';

interface LiveGrant {
  grant: Grant;
  from: number;
  to: number;
  connection: Connection;
}

/**
 * The policy as of one generation, in memory: every decision is a few map
 * look-ups, never a store query. Built whole from the store's documents and
 * replaced whole when the generation changes (src/policy/service.ts).
 */
export class PolicySnapshot {
  readonly orgs = new Map<string, Organisation>();
  readonly connections = new Map<string, Connection>();
  readonly grants = new Map<string, Grant>();
  readonly clients = new Map<string, RegisteredClient>();
  readonly accounts = new Map<string, Account>();
  /** consumer org → service → its grants (revoked ones left out). */
  private readonly byOrgService = new Map<string, Map<string, LiveGrant[]>>();

  constructor(readonly docs: PolicyDocs) {
    for (const o of docs.organisation) this.orgs.set(o.id, o);
    for (const c of docs.connection) this.connections.set(c.id, c);
    for (const c of docs.client) this.clients.set(c.id, c);
    for (const a of docs.account) this.accounts.set(a.id, a);
    for (const g of docs.grant) {
      this.grants.set(g.id, g);
      const connection = this.connections.get(g.connection);
      if (!connection || g.revoked) continue;
      let services = this.byOrgService.get(connection.consumer);
      if (!services) this.byOrgService.set(connection.consumer, (services = new Map()));
      const list = services.get(g.service) ?? [];
      list.push({ grant: g, from: Date.parse(g.validFrom), to: Date.parse(g.validTo), connection });
      services.set(g.service, list);
    }
  }

  get generation(): number {
    return this.docs.generation;
  }

  /**
   * May this caller use this service for this purpose now? Resolves the grant
   * it uses, or throws the refusal with its code and reason (R8). Config
   * clients granted the route by their `routes:` list keep working without
   * the model (docs/policy.md, "Config clients").
   */
  decide(req: DecisionRequest): CallerGrant {
    const { caller, service } = req;
    if (caller.routes === 'all' || caller.routes.has(req.routeId))
      return { id: `config:${caller.clientId}`, source: 'config', service, fields: 'all' };
    const registered = this.clients.get(caller.clientId);
    if (registered?.status === 'revoked')
      refuse('LT_POLICY_UNREGISTERED', `client "${caller.clientId}" has been revoked`);
    const org = this.orgs.get(caller.orgId);
    if (!org) {
      // A config client with a routes list and no organisation in the model: its list decides.
      if (caller.routes.size > 0)
        refuse(
          'LT_POLICY_ROUTE_NOT_ALLOWED',
          `client "${caller.clientId}" is not granted route "${req.routeId}"`,
          { route: req.routeId, service },
        );
      refuse(
        'LT_POLICY_UNREGISTERED',
        `organisation ${caller.orgId} of client "${caller.clientId}" is not registered`,
      );
    }
    const candidates = this.byOrgService.get(org.id)?.get(service) ?? [];
    if (!candidates.length)
      refuse('LT_POLICY_NO_GRANT', `no grant to ${org.id} for service ${service}`, { service });

    const usable = candidates.filter(
      (c) =>
        c.connection.state === 'active' ||
        (c.connection.state === 'testing' && service === CONNECTION_TEST_SERVICE),
    );
    if (!usable.length) {
      const c = candidates[0].connection;
      const code: ErrorCode =
        c.state === 'suspended'
          ? 'LT_POLICY_CONNECTION_SUSPENDED'
          : c.state === 'terminated'
            ? 'LT_POLICY_CONNECTION_TERMINATED'
            : 'LT_POLICY_CONNECTION_NOT_ACTIVE';
      refuse(code, `connection ${c.id} is ${c.state}${c.reason ? `: ${c.reason}` : ''}`, {
        connection: c.id,
      });
    }
    const forPurpose = usable.filter(
      (c) =>
        c.grant.purposes.includes('*') ||
        (req.purpose !== undefined && c.grant.purposes.includes(req.purpose)),
    );
    if (!forPurpose.length)
      refuse(
        'LT_POLICY_PURPOSE_NOT_GRANTED',
        req.purpose === undefined
          ? `service ${service} is granted for stated purposes only: send X-Purpose (or the request's public-service code)`
          : `purpose "${req.purpose}" is not granted for service ${service}`,
        { service, connection: usable[0].connection.id, grant: usable[0].grant.id },
      );
    const valid = forPurpose.find((c) => c.from <= req.now && req.now < c.to);
    if (!valid) {
      const early = forPurpose.find((c) => req.now < c.from);
      const g = (early ?? forPurpose[0]).grant;
      if (early)
        refuse('LT_POLICY_GRANT_NOT_YET_VALID', `grant ${g.id} is valid from ${g.validFrom}`, {
          grant: g.id,
          connection: g.connection,
        });
      refuse('LT_POLICY_GRANT_EXPIRED', `grant ${g.id} expired at ${g.validTo}`, {
        grant: g.id,
        connection: g.connection,
      });
    }
    if (org.accountsRequired) this.checkAccount(org.id, service, req.officer);
    const g = valid.grant;
    return {
      id: g.id,
      source: 'model',
      connection: g.connection,
      provider: valid.connection.provider,
      service,
      purpose: req.purpose,
      fields: g.fields.includes('*') ? 'all' : g.fields,
    };
  }

  /** R10.4: the named account is the organisation's own, active, and its duties include the service. */
  private checkAccount(orgId: string, service: string, officer: string | undefined): void {
    if (officer === undefined)
      refuse(
        'LT_POLICY_ACCOUNT_NOT_ALLOWED',
        `organisation ${orgId} requires the officer's account (MaCanBo / officer / X-Officer)`,
      );
    const a = this.accounts.get(officer);
    if (!a || a.org !== orgId || a.status !== 'active')
      refuse('LT_POLICY_ACCOUNT_NOT_ALLOWED', `"${officer}" is not an active account of ${orgId}`, {
        account: officer,
      });
    if (!a.services.includes(service) && !a.services.includes('*'))
      refuse(
        'LT_POLICY_ACCOUNT_NOT_ALLOWED',
        `account "${officer}" is not granted service ${service}`,
        { account: officer },
      );
  }
}

function refuse(code: ErrorCode, reason: string, data?: Record<string, unknown>): never {
  throw new GatewayError(code, reason, data);
}
