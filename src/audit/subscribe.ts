import type { Logger } from 'pino';
import type { GatewayConfig, RouteDef } from '../config/schema.js';
import { GatewayError } from '../message/errors.js';
import type { Exchange } from '../message/index.js';
import { uuidv7 } from '../message/ids.js';
import { isPreRoute, type PipelineHooks, type PreRouteRefusal } from '../pipeline/hooks.js';
import { replyDigestOf, requestDigestOf } from '../pipeline/digests.js';
import type { SharingLog } from './log.js';
import type { AuditEntry } from './record.js';
import { fieldValues, subjectDigest } from './subjects.js';

const DAY_MS = 86_400_000;

/** What the log does for one route, resolved once at start-up. */
export interface RouteAuditPolicy {
  readonly required: boolean;
  readonly content: boolean;
  readonly subjects: readonly string[];
  readonly officer?: string;
  readonly retentionMs: number;
  readonly service: string;
}

/** `audit.mode` left out: required for routes to an NPD endpoint (docs/audit.md), best-effort otherwise. */
export function routeAuditPolicy(def: RouteDef, config: GatewayConfig): RouteAuditPolicy {
  const endpointAdapter = config.endpoints[def.to.endpoint]?.adapter;
  const mode = def.audit.mode ?? (endpointAdapter === 'npd' ? 'required' : 'best-effort');
  return {
    required: mode === 'required',
    content: def.audit.content,
    subjects: def.audit.subjects,
    officer: def.audit.officer,
    retentionMs: (def.audit.retentionDays ?? config.audit.retentionDays) * DAY_MS,
    service: def.service,
  };
}

/** The purpose the caller stated (header `x-purpose`), cut to a sane length. */
function purposeOf(ex: Exchange): string | undefined {
  const p = (ex.attrs.purpose as string | undefined) ?? ex.request.headers['x-purpose'];
  return typeof p === 'string' && p ? p.slice(0, 200) : undefined;
}

export function exchangeEntry(
  ex: Exchange,
  p: RouteAuditPolicy,
  subjectKey: string | undefined,
): AuditEntry {
  const c = ex.caller;
  const code = ex.outcome?.code ?? 'LT_INTERNAL';
  const ids = p.subjects.length && subjectKey ? fieldValues(ex.request, p.subjects) : [];
  return {
    id: ex.id,
    at: ex.receivedAt,
    kind: 'exchange',
    code,
    channel: ex.channel,
    route: ex.routeId,
    service: p.service,
    purpose: purposeOf(ex),
    org: c?.orgId || undefined,
    subsystem: c?.subsystem,
    client: c?.clientId || undefined,
    // The account the caller's identity names; until accounts carry it, the one the request states.
    officer:
      c?.officer ??
      (p.officer ? fieldValues(ex.request, [p.officer])[0]?.slice(0, 100) : undefined),
    ip: ex.ip ?? c?.ip,
    requestId: ex.requestId,
    requestDigest: requestDigestOf(ex),
    replyDigest: code === 'OK' ? replyDigestOf(ex) : undefined,
    ms: ex.durationMs === undefined ? undefined : Math.round(ex.durationMs * 100) / 100,
    subjects: ids.length ? ids.map((id) => subjectDigest(subjectKey!, id)) : undefined,
    content: p.content
      ? { request: ex.request.body, reply: code === 'OK' ? ex.reply?.body : undefined }
      : undefined,
    keepUntil: ex.receivedAt + p.retentionMs,
  };
}

function refusalEntry(r: PreRouteRefusal, err: GatewayError, retentionMs: number): AuditEntry {
  return {
    id: uuidv7(),
    at: r.at,
    kind: 'refusal',
    code: err.code,
    channel: r.channel ?? 'http',
    ip: r.ip,
    requestId: r.requestId,
    // The path is the caller's: a bounded piece of it is enough to know what was asked.
    detail: { stage: r.stage, method: r.method, path: r.path?.slice(0, 300) },
    keepUntil: r.at + retentionMs,
  };
}

/**
 * The sharing log as a subscriber of the pipeline's hooks: one record per
 * exchange (end hook, subscribed before the log line so that both tell the
 * same outcome) and one per request refused before any route. On a required
 * route the answer waits for the record's batch, and a record that cannot be
 * written turns the answer into LT_AUDIT_UNAVAILABLE; on a best-effort one a
 * failure is logged and the answer goes out.
 */
export function recordExchanges(
  hooks: PipelineHooks,
  audit: SharingLog,
  policies: ReadonlyMap<string, RouteAuditPolicy>,
  config: GatewayConfig,
  log: Logger,
): void {
  const subjectKey = config.audit.subjectKey;
  const retentionMs = config.audit.retentionDays * DAY_MS;
  let warned = 0;
  const bestEffortFailed = (err: unknown) => {
    // One line a second at most: a log that cannot be written fails every record.
    const now = Date.now();
    if (now - warned < 1000) return;
    warned = now;
    log.warn({ err }, 'best-effort sharing-log record not written');
  };
  hooks.onExchangeEnd((ex) => {
    const p = policies.get(ex.routeId);
    if (!p) return;
    const done = audit.append(exchangeEntry(ex, p, subjectKey));
    if (!p.required) {
      done.catch(bestEffortFailed);
      return;
    }
    return done.catch((err: unknown) => {
      throw err instanceof GatewayError
        ? err
        : new GatewayError('LT_AUDIT_UNAVAILABLE', 'the sharing log could not be written');
    });
  });
  hooks.onRefusal((what, err) => {
    if (isPreRoute(what))
      audit.append(refusalEntry(what, err, retentionMs)).catch(bestEffortFailed);
  });
}

/** A login, logout or policy change as the policy model tells it (src/policy/service.ts). */
export interface PolicyEventRecorder {
  session(s: { at: string; accountId: string; event: 'login' | 'logout'; ip: string }): void;
  change(c: {
    at: number;
    kind: string;
    id: string;
    action: string;
    who: string;
    why: string;
  }): void;
}

/**
 * The sharing log's records of what is not an exchange (R7.2: every login and
 * logout with its IP; the admin API's changes with who and why). The policy
 * store keeps its own history too; these records put them in the chained log
 * an inspector verifies. Best-effort like a pre-route refusal: the event has
 * already happened when it is told.
 */
export function recordPolicyEvents(
  audit: SharingLog,
  config: GatewayConfig,
  log: Logger,
): PolicyEventRecorder {
  const retentionMs = config.audit.retentionDays * DAY_MS;
  const failed = (err: unknown) =>
    log.warn({ err }, 'sharing-log record of a policy event not written');
  return {
    session(s) {
      const at = Date.parse(s.at);
      audit
        .append({
          id: uuidv7(),
          at,
          kind: s.event,
          code: 'OK',
          officer: s.accountId.slice(0, 100),
          ip: s.ip,
          detail: { account: s.accountId },
          keepUntil: at + retentionMs,
        })
        .catch(failed);
    },
    change(c) {
      audit
        .append({
          id: uuidv7(),
          at: c.at,
          kind: 'admin',
          code: 'OK',
          detail: { kind: c.kind, id: c.id, action: c.action, who: c.who, why: c.why },
          keepUntil: c.at + retentionMs,
        })
        .catch(failed);
    },
  };
}
