import { ERRORS, type ErrorCode } from '../message/errors.js';
import type { AuditBackend } from './backend.js';
import type { AuditRecord } from './record.js';

/** Reports count hours and periods in Vietnam's time (UTC+7, no daylight saving). */
const VN_OFFSET_MS = 7 * 3_600_000;
export const REPORT_TIMEZONE = '+07:00';

export interface ReportPeriod {
  /** `2026` (annual) or `2026-H1` / `2026-H2` (6-monthly), R5. */
  label: string;
  from: number;
  /** Exclusive. */
  to: number;
}

/** The period a label names, or undefined when it is not one. */
export function periodOf(label: string): ReportPeriod | undefined {
  const m = /^(\d{4})(?:-H([12]))?$/.exec(label);
  if (!m) return undefined;
  const y = Number(m[1]);
  const at = (year: number, month: number) => Date.UTC(year, month, 1) - VN_OFFSET_MS;
  if (!m[2]) return { label, from: at(y, 0), to: at(y + 1, 0) };
  return m[2] === '1'
    ? { label, from: at(y, 0), to: at(y, 6) }
    : { label, from: at(y, 6), to: at(y + 1, 0) };
}

export interface ReportGroup {
  /** The consumer organisation (000.00.00.H00), '' for requests refused before it was known. */
  org: string;
  /** The service (route's), '' for requests refused before any route. */
  service: string;
  requests: number;
  answered: number;
  /** Refused for the caller's reason (the error table blames the caller), by code. */
  refusals: Record<string, number>;
  /** Failed on the provider's or the gateway's side, by code. */
  errors: Record<string, number>;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Requests per hour of the day (0–23, UTC+7). */
  byHour: number[];
  /** The three busiest hours, busiest first. */
  busiestHours: { hour: number; requests: number }[];
}

export interface Report {
  period: ReportPeriod & { timezone: string };
  generatedAt: number;
  totals: Omit<ReportGroup, 'org' | 'service'>;
  groups: ReportGroup[];
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, i)] * 100) / 100;
}

class Tally {
  requests = 0;
  answered = 0;
  refusals: Record<string, number> = {};
  errors: Record<string, number> = {};
  ms: number[] = [];
  byHour = Array.from({ length: 24 }, () => 0);

  add(r: AuditRecord): void {
    this.requests++;
    this.byHour[new Date(r.at + VN_OFFSET_MS).getUTCHours()]++;
    if (r.ms !== undefined) this.ms.push(r.ms);
    if (r.code === 'OK') this.answered++;
    else {
      const blame = ERRORS[r.code as ErrorCode]?.blame ?? 'gateway';
      const into = blame === 'caller' ? this.refusals : this.errors;
      into[r.code] = (into[r.code] ?? 0) + 1;
    }
  }

  done(): Omit<ReportGroup, 'org' | 'service'> {
    const ms = this.ms.sort((a, b) => a - b);
    return {
      requests: this.requests,
      answered: this.answered,
      refusals: this.refusals,
      errors: this.errors,
      latencyMs: {
        p50: quantile(ms, 0.5),
        p90: quantile(ms, 0.9),
        p99: quantile(ms, 0.99),
        max: ms.length ? ms[ms.length - 1] : 0,
      },
      byHour: this.byHour,
      busiestHours: this.byHour
        .map((requests, hour) => ({ hour, requests }))
        .filter((h) => h.requests > 0)
        .sort((a, b) => b.requests - a.requests || a.hour - b.hour)
        .slice(0, 3),
    };
  }
}

/** Aggregates the exchange and refusal records of a period (logins and admin changes are not traffic). */
export function buildReport(
  records: Iterable<AuditRecord>,
  period: ReportPeriod,
  now = Date.now(),
): Report {
  const total = new Tally();
  const groups = new Map<string, { org: string; service: string; t: Tally }>();
  for (const r of records) {
    if (r.kind !== 'exchange' && r.kind !== 'refusal') continue;
    if (r.at < period.from || r.at >= period.to) continue;
    const org = r.org ?? '';
    const service = r.service ?? '';
    const key = `${org}\u0000${service}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { org, service, t: new Tally() }));
    g.t.add(r);
    total.add(r);
  }
  return {
    period: { ...period, timezone: REPORT_TIMEZONE },
    generatedAt: now,
    totals: total.done(),
    groups: [...groups.values()]
      .sort((a, b) => a.org.localeCompare(b.org) || a.service.localeCompare(b.service))
      .map((g) => ({ org: g.org, service: g.service, ...g.t.done() })),
  };
}

/** The report of a period from the log (records read once, in time order). */
export async function reportFromLog(backend: AuditBackend, period: ReportPeriod): Promise<Report> {
  const rows = await backend.query({ from: period.from, to: period.to });
  return buildReport(
    rows.map((r) => JSON.parse(r.body) as AuditRecord),
    period,
  );
}

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const reasons = (m: Record<string, number>) =>
  Object.entries(m)
    .sort((a, b) => b[1] - a[1])
    .map(([c, n]) => `${c}:${n}`)
    .join(' ');

/** One line per connection and service (RFC 4180), the header first. */
export function reportCsv(r: Report): string {
  const head = [
    'period',
    'org',
    'service',
    'requests',
    'answered',
    'refused',
    'errors',
    'p50_ms',
    'p90_ms',
    'p99_ms',
    'max_ms',
    'busiest_hours',
    'refusals_by_reason',
    'errors_by_code',
  ];
  const sum = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
  const lines = r.groups.map((g) =>
    [
      r.period.label,
      g.org,
      g.service,
      g.requests,
      g.answered,
      sum(g.refusals),
      sum(g.errors),
      g.latencyMs.p50,
      g.latencyMs.p90,
      g.latencyMs.p99,
      g.latencyMs.max,
      g.busiestHours.map((h) => `${String(h.hour).padStart(2, '0')}:00`).join(' '),
      reasons(g.refusals),
      reasons(g.errors),
    ]
      .map(csvCell)
      .join(','),
  );
  return [head.join(','), ...lines].join('\r\n') + '\r\n';
}
