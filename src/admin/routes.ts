import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fail } from '../message/errors.js';
import type { Caller } from '../message/message.js';
import type { Authenticator } from '../pipeline/deps.js';
import type { ChangeBy, DocKind } from '../policy/model.js';
import { validInput, type PolicyService } from '../policy/service.js';
import {
  AccountChangeInput,
  AccountInput,
  AccountRevokeInput,
  ApprovalInput,
  ClientInput,
  ConnectionInput,
  GrantInput,
  LoginInput,
  LogoutInput,
  OrganisationInput,
  ResolveInput,
  RevokeInput,
  StateChangeInput,
} from './schemas.js';

interface OpContext {
  policy: PolicyService;
  body: unknown;
  params: Record<string, string>;
  query: Record<string, string>;
  by: ChangeBy;
  caller: Caller;
  ip: string;
}

/** One operation of the admin API: its route, its OpenAPI entry and what it does. */
export interface AdminOp {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  url: string;
  summary: string;
  input?: TSchema;
  /** Admin role required (else any authenticated caller: data-error reports, account sessions). */
  admin: boolean;
  /** Writes carry their reason in `X-Change-Reason` (stored with who made the change). */
  write: boolean;
  run(c: OpContext): Promise<unknown>;
}

const input = <T>(c: OpContext, schema: TSchema, what: string) =>
  validInput(schema, c.body ?? {}, what) as T;

/** Stored documents without their secret hashes. */
function shown<T>(doc: T): T {
  if (doc && typeof doc === 'object' && 'secretHash' in doc) {
    const { secretHash: _hidden, ...rest } = doc as Record<string, unknown>;
    return rest as T;
  }
  return doc;
}
const list = (c: OpContext, kind: DocKind) => {
  const snap = c.policy.snapshot;
  const m = {
    organisation: snap.orgs,
    connection: snap.connections,
    grant: snap.grants,
    client: snap.clients,
    account: snap.accounts,
  }[kind] as ReadonlyMap<string, unknown>;
  return { items: [...m.values()].map(shown) };
};
const one = async (c: OpContext, kind: DocKind) => {
  const doc = await c.policy.repo.get(kind, c.params.id);
  if (!doc) fail('LT_POLICY_NOT_FOUND', `no ${kind} ${c.params.id}`);
  return shown(doc);
};

export const ADMIN_OPS: readonly AdminOp[] = [
  // organisations
  {
    method: 'GET',
    url: '/admin/organisations',
    summary: 'List organisations',
    admin: true,
    write: false,
    run: async (c) => list(c, 'organisation'),
  },
  {
    method: 'GET',
    url: '/admin/organisations/:id',
    summary: 'One organisation',
    admin: true,
    write: false,
    run: (c) => one(c, 'organisation'),
  },
  {
    method: 'POST',
    url: '/admin/organisations',
    summary: 'Register an organisation (with its focal point, R15)',
    input: OrganisationInput,
    admin: true,
    write: true,
    run: (c) => c.policy.addOrganisation(input(c, OrganisationInput, 'organisation'), c.by),
  },
  {
    method: 'PUT',
    url: '/admin/organisations/:id',
    summary: 'Replace an organisation’s record',
    input: OrganisationInput,
    admin: true,
    write: true,
    run: (c) =>
      c.policy.updateOrganisation(
        { ...input<object>(c, OrganisationInput, 'organisation'), id: c.params.id } as never,
        c.by,
      ),
  },
  // connections
  {
    method: 'GET',
    url: '/admin/connections',
    summary: 'List connections',
    admin: true,
    write: false,
    run: async (c) => list(c, 'connection'),
  },
  {
    method: 'GET',
    url: '/admin/connections/:id',
    summary: 'One connection with its history',
    admin: true,
    write: false,
    run: (c) => one(c, 'connection'),
  },
  {
    method: 'POST',
    url: '/admin/connections',
    summary: 'Register a connection (state registered)',
    input: ConnectionInput,
    admin: true,
    write: true,
    run: (c) => c.policy.addConnection(input(c, ConnectionInput, 'connection'), c.by),
  },
  {
    method: 'POST',
    url: '/admin/connections/:id/state',
    summary:
      'Move a connection along its lifecycle (testing, active, suspended, terminated) with a reason',
    input: StateChangeInput,
    admin: true,
    write: true,
    run: (c) =>
      c.policy.changeConnection(c.params.id, input(c, StateChangeInput, 'state change'), c.by),
  },
  {
    method: 'PUT',
    url: '/admin/connections/:id/approval',
    summary: 'Record the approval of a connection over another path (R1.3)',
    input: ApprovalInput,
    admin: true,
    write: true,
    run: (c) => c.policy.setApproval(c.params.id, input(c, ApprovalInput, 'approval'), c.by),
  },
  // grants
  {
    method: 'GET',
    url: '/admin/grants',
    summary: 'List grants',
    admin: true,
    write: false,
    run: async (c) => list(c, 'grant'),
  },
  {
    method: 'POST',
    url: '/admin/grants',
    summary: 'Create a grant; refused outside the approver’s jurisdiction (R10.3)',
    input: GrantInput,
    admin: true,
    write: true,
    run: (c) => c.policy.addGrant(input(c, GrantInput, 'grant'), c.by),
  },
  {
    method: 'POST',
    url: '/admin/grants/:id/revoke',
    summary: 'Revoke a grant',
    input: RevokeInput,
    admin: true,
    write: true,
    run: (c) =>
      c.policy.revokeGrant(
        c.params.id,
        input<{ reason: string }>(c, RevokeInput, 'revocation').reason,
        c.by,
      ),
  },
  // registered clients
  {
    method: 'GET',
    url: '/admin/clients',
    summary: 'List registered clients (system credentials)',
    admin: true,
    write: false,
    run: async (c) => list(c, 'client'),
  },
  {
    method: 'POST',
    url: '/admin/clients',
    summary: 'Register a client of an organisation (its secret is hashed)',
    input: ClientInput,
    admin: true,
    write: true,
    run: async (c) => shown(await c.policy.registerClient(input(c, ClientInput, 'client'), c.by)),
  },
  {
    method: 'POST',
    url: '/admin/clients/:id/revoke',
    summary: 'Revoke a registered client',
    admin: true,
    write: true,
    run: async (c) => shown(await c.policy.revokeClient(c.params.id, c.by)),
  },
  // accounts (R10.4)
  {
    method: 'GET',
    url: '/admin/accounts',
    summary: 'List officer accounts',
    admin: true,
    write: false,
    run: async (c) => list(c, 'account'),
  },
  {
    method: 'POST',
    url: '/admin/accounts',
    summary: 'Issue an officer account on a written request (R10.4)',
    input: AccountInput,
    admin: true,
    write: true,
    run: async (c) => shown(await c.policy.issueAccount(input(c, AccountInput, 'account'), c.by)),
  },
  {
    method: 'PATCH',
    url: '/admin/accounts/:id',
    summary: 'Adjust an account’s roles, services or secret on a written request',
    input: AccountChangeInput,
    admin: true,
    write: true,
    run: async (c) =>
      shown(
        await c.policy.adjustAccount(
          c.params.id,
          input(c, AccountChangeInput, 'account change'),
          c.by,
        ),
      ),
  },
  {
    method: 'POST',
    url: '/admin/accounts/:id/revoke',
    summary: 'Revoke an account on a written request',
    input: AccountRevokeInput,
    admin: true,
    write: true,
    run: async (c) =>
      shown(
        await c.policy.revokeAccount(
          c.params.id,
          input<{ requestRef: string }>(c, AccountRevokeInput, 'revocation').requestRef,
          c.by,
        ),
      ),
  },
  {
    method: 'GET',
    url: '/admin/accounts/:id/sessions',
    summary: 'Logins and logouts of an account, with IP (R7.2)',
    admin: true,
    write: false,
    run: async (c) => ({ items: await c.policy.repo.sessions(c.params.id) }),
  },
  // refusals, history, data errors
  {
    method: 'GET',
    url: '/admin/refusals',
    summary: 'Policy refusals, newest first (R8); ?since=<ms>&limit=',
    admin: true,
    write: false,
    run: async (c) => ({
      items: await c.policy.repo.refusals({ since: num(c.query.since), limit: num(c.query.limit) }),
    }),
  },
  {
    method: 'GET',
    url: '/admin/history',
    summary: 'Changes with who and why; ?kind=&id=',
    admin: true,
    write: false,
    run: async (c) => ({
      items: await c.policy.repo.history(kindOf(c.query.kind), c.query.id, num(c.query.limit)),
    }),
  },
  {
    method: 'GET',
    url: '/admin/data-errors',
    summary: 'Data-error reports (R12); ?provider=&status=open|resolved',
    admin: true,
    write: false,
    run: async (c) => ({
      items: await c.policy.repo.dataErrors({
        provider: c.query.provider,
        status: c.query.status,
        limit: num(c.query.limit),
      }),
    }),
  },
  {
    method: 'POST',
    url: '/admin/data-errors/:id/resolve',
    summary: 'Resolve a data-error report',
    input: ResolveInput,
    admin: true,
    write: true,
    run: (c) =>
      c.policy.resolveDataError(
        c.params.id,
        input<{ note: string }>(c, ResolveInput, 'resolution').note,
        c.by,
      ),
  },
  // for every authenticated caller
  {
    method: 'POST',
    url: '/v1/data-errors',
    summary: 'Report an error found in shared data (R12)',
    admin: false,
    write: false,
    run: (c) => c.policy.reportDataError(c.body, c.caller),
  },
  {
    method: 'POST',
    url: '/v1/accounts/login',
    summary: 'An officer logs in through this client (recorded with IP, R7.2)',
    input: LoginInput,
    admin: false,
    write: false,
    run: async (c) => {
      const i = input<{ account: string; secret: string }>(c, LoginInput, 'login');
      const a = await c.policy.login(i.account, i.secret, c.ip);
      return { account: a.id, org: a.org, roles: a.roles, services: a.services };
    },
  },
  {
    method: 'POST',
    url: '/v1/accounts/logout',
    summary: 'An officer logs out (recorded with IP, R7.2)',
    input: LogoutInput,
    admin: false,
    write: false,
    run: async (c) => {
      await c.policy.logout(input<{ account: string }>(c, LogoutInput, 'logout').account, c.ip);
      return { ok: true };
    },
  },
];

function num(s: string | undefined): number | undefined {
  return s === undefined || !/^\d{1,15}$/.test(s) ? undefined : Number(s);
}

function kindOf(s: string | undefined): DocKind | undefined {
  const kinds: DocKind[] = ['organisation', 'connection', 'grant', 'client', 'account'];
  return kinds.find((k) => k === s);
}

function flat(h: FastifyRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * The admin API (`/admin`, admin role only) and the caller-facing policy
 * endpoints (`/v1/data-errors`, `/v1/accounts/login|logout`), with the same
 * bearer authentication as the routes. Every write names its reason in
 * `X-Change-Reason` and is stored with who made it (docs/policy.md).
 */
export function registerAdminRoutes(
  server: FastifyInstance,
  d: { auth: Authenticator; policy: PolicyService },
): void {
  for (const op of ADMIN_OPS) {
    server.route({
      method: op.method,
      url: op.url,
      handler: async (req, reply) => {
        const caller = d.auth.authenticate(
          { body: null, contentType: '', headers: flat(req.headers) },
          req.ip,
        );
        if (op.admin && !caller.roles?.includes('admin'))
          fail('LT_ADMIN_FORBIDDEN', `client "${caller.clientId}" does not have the admin role`);
        const why = String(req.headers['x-change-reason'] ?? '').trim();
        if (op.write && !why)
          fail('LT_POLICY_INPUT_INVALID', 'say why in the X-Change-Reason header');
        const result = await op.run({
          policy: d.policy,
          body: req.body,
          params: req.params as Record<string, string>,
          query: req.query as Record<string, string>,
          by: {
            who: caller.officer ? `${caller.clientId}/${caller.officer}` : caller.clientId,
            why: why.slice(0, 500),
          },
          caller,
          ip: req.ip,
        });
        return reply.code(op.method === 'POST' && op.write ? 201 : 200).send(result);
      },
    });
  }
}

/** The admin operations as OpenAPI paths (`:id` → `{id}`), merged into the gateway's document. */
export function adminOpenApiPaths(): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of ADMIN_OPS) {
    const path = op.url.replace(/:([a-z]+)/g, '{$1}');
    const params = [...op.url.matchAll(/:([a-z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (op.write)
      params.push({
        name: 'X-Change-Reason',
        in: 'header',
        required: true,
        schema: { type: 'string' },
      });
    (paths[path] ??= {})[op.method.toLowerCase()] = {
      operationId: `${op.method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+/g, '-')}`,
      summary: op.summary,
      tags: [op.admin ? 'admin' : 'policy'],
      security: [{ clientCredentials: [] }],
      ...(params.length ? { parameters: params } : {}),
      ...(op.input
        ? { requestBody: { required: true, content: { 'application/json': { schema: op.input } } } }
        : {}),
      responses: {
        [op.method === 'POST' && op.write ? '201' : '200']: {
          description: 'The record (secret hashes never shown)',
          content: { 'application/json': { schema: { type: 'object' } } },
        },
        '4XX': {
          description: op.admin
            ? 'Refused: LT_ADMIN_FORBIDDEN without the admin role, LT_POLICY_* with the reason'
            : 'Refused: LT_POLICY_INPUT_INVALID, LT_AUTH_*',
          content: {
            'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
          },
        },
      },
    };
  }
  return paths;
}
