import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import { GatewayError } from '../message/errors.js';
import { KeyRing } from '../security/keyring.js';
import type { AuditQuery } from './backend.js';
import { verifyManifest } from './checkpoint.js';
import { exportRange } from './export.js';
import { archiveExpired } from './archive.js';
import { auditBackendOf } from './open.js';
import { subjectDigest } from './subjects.js';
import { verifyLog } from './verify.js';
import { periodOf, reportCsv, reportFromLog, type Report } from './report.js';
import { reportHtml } from './report-html.js';

/**
 * `lienthong audit verify|export|search|report|archive` over the configured
 * store's sharing log. Exit codes: 0 done (verified), 1 a finding or a
 * failure (on stderr).
 */

function fail(err: unknown): never {
  if (err instanceof GatewayError)
    console.error(`lienthong: ${err.code}: ${err.detail ?? err.spec.en}`);
  else console.error('lienthong:', err);
  process.exit(1);
}

/** An ISO date or date-time; a bare date is midnight UTC. */
export function timeOption(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  if (!Number.isFinite(ms))
    throw new GatewayError(
      'LT_CONFIG_INVALID',
      `--${name} must be an ISO date (2026-01-31) or date-time, not "${v}"`,
    );
  return ms;
}

async function opened(program: Command) {
  const { config } = loadConfig({ file: program.opts().config });
  const keys = await KeyRing.load({
    file: config.keys.file,
    generateIfMissing: false,
    allowMissingPurposes: true,
  });
  const backend = auditBackendOf(config);
  await backend.init();
  return { config, keys, backend };
}

async function using<T>(
  program: Command,
  fn: (o: Awaited<ReturnType<typeof opened>>) => Promise<T>,
): Promise<T> {
  const o = await opened(program);
  try {
    return await fn(o);
  } finally {
    await o.backend.close();
  }
}

interface QueryOpts {
  from?: string;
  to?: string;
  org?: string;
  officer?: string;
  route?: string;
  service?: string;
  limit?: string;
}

export function queryOf(o: QueryOpts): AuditQuery {
  const limit = o.limit === undefined ? undefined : Number(o.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new GatewayError(
      'LT_CONFIG_INVALID',
      `--limit must be a positive integer, not "${o.limit}"`,
    );
  return {
    from: timeOption('from', o.from),
    to: timeOption('to', o.to),
    org: o.org,
    officer: o.officer,
    route: o.route,
    service: o.service,
    limit,
  };
}

const withRange = (c: Command) =>
  c
    .option('--from <date>', 'from this time (ISO date or date-time, inclusive)')
    .option('--to <date>', 'until this time (exclusive)');

export function auditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description('the sharing log (R7): verify, export, search, report');

  audit
    .command('verify')
    .description(
      "check every writer's hash chain and signed checkpoints; name each edited, deleted, inserted or reordered record",
    )
    .option('--json', 'print the result as JSON')
    .action((o: { json?: boolean }) =>
      using(program, async ({ backend, keys }) => {
        const r = await verifyLog(backend, keys);
        if (o.json) console.log(JSON.stringify(r, null, 2));
        else {
          for (const f of r.findings)
            console.log(`${f.kind}: ${f.message}${f.id ? ` [id ${f.id}]` : ''}`);
          console.log(
            `${r.findings.length ? 'FAILED' : 'ok'}: ${r.records} record(s) of ${r.writers} writer(s), ${r.checkpoints} checkpoint(s), ${r.unattested} not yet under a checkpoint, ${r.findings.length} finding(s)`,
          );
        }
        if (r.findings.length) process.exitCode = 1;
      }).catch(fail),
    );

  withRange(audit.command('export'))
    .description('write the records of a time range as JSONL with a signed manifest (disputes)')
    .option('--out <dir>', 'directory to write into', '.')
    .action((o: QueryOpts & { out: string }) =>
      using(program, async ({ backend, keys }) => {
        const r = await exportRange(backend, keys, queryOf(o), o.out);
        console.log(
          `${r.manifest.records} record(s): ${r.jsonl}\nmanifest (signed): ${r.manifestFile}`,
        );
      }).catch(fail),
    );

  audit
    .command('archive')
    .description(
      'archive the records whose retention ended (signed JSONL into audit.archiveDir), then delete them, keeping their place in the chain',
    )
    .option('--now <date>', 'archive as of this time (default: now)')
    .action((o: { now?: string }) =>
      using(program, async ({ backend, keys, config }) => {
        const done = await archiveExpired(
          backend,
          keys,
          config.audit.archiveDir,
          timeOption('now', o.now),
        );
        for (const a of done) console.log(`${a.manifest.records} record(s): ${a.file}`);
        console.log(
          `${done.reduce((n, a) => n + a.manifest.records, 0)} record(s) archived in ${done.length} archive(s)`,
        );
      }).catch(fail),
    );

  audit
    .command('check-manifest')
    .description('verify a signed manifest and the JSONL file it names')
    .argument('<manifest>', 'the .manifest.jws file')
    .action((file: string) =>
      using(program, async ({ keys }) => {
        const v = verifyManifest(keys, readFileSync(file, 'utf8').trim());
        if (!v.ok) throw new GatewayError('LT_SIG_INVALID', `manifest: ${v.why}`);
        console.log(JSON.stringify(v.manifest, null, 2));
      }).catch(fail),
    );

  audit
    .command('report')
    .description(
      'the 6-monthly or annual report (R5) per connection and service: requests, refusals by reason, errors, latency percentiles, busiest hours',
    )
    .requiredOption('--period <period>', '2026 (annual), 2026-H1 or 2026-H2 (6-monthly), in UTC+7')
    .option('--format <format>', 'json, csv or html (bilingual, with charts)', 'json')
    .option('--out <file>', 'write to this file instead of stdout')
    .action((o: { period: string; format: string; out?: string }) =>
      using(program, async ({ backend }) => {
        const period = periodOf(o.period);
        if (!period)
          throw new GatewayError(
            'LT_CONFIG_INVALID',
            `--period must be a year (2026) or a half (2026-H1, 2026-H2), not "${o.period}"`,
          );
        const renderers: Record<string, (r: Report) => string> = {
          json: (r) => JSON.stringify(r, null, 2) + '\n',
          csv: reportCsv,
          html: reportHtml,
        };
        const render = Object.hasOwn(renderers, o.format) ? renderers[o.format] : undefined;
        if (!render)
          throw new GatewayError(
            'LT_CONFIG_INVALID',
            `--format must be json, csv or html, not "${o.format}"`,
          );
        const text = render(await reportFromLog(backend, period));
        if (o.out) writeFileSync(o.out, text);
        else process.stdout.write(text);
      }).catch(fail),
    );

  withRange(audit.command('search'))
    .description('records by citizen id, organisation, officer, route, service and time, as JSONL')
    .option('--citizen <id>', 'citizen id (matched by its keyed digest; needs audit.subjectKey)')
    .option('--org <id>', 'caller organisation (000.00.00.H00)')
    .option('--officer <account>', 'officer account')
    .option('--route <id>', 'route id')
    .option('--service <id>', 'service id')
    .option('--limit <n>', 'at most this many records', '1000')
    .action((o: QueryOpts & { citizen?: string }) =>
      using(program, async ({ backend, config }) => {
        const q = queryOf(o);
        if (o.citizen !== undefined) {
          if (!config.audit.subjectKey)
            throw new GatewayError(
              'LT_CONFIG_INVALID',
              'searching by citizen needs audit.subjectKey',
            );
          q.subject = subjectDigest(config.audit.subjectKey, o.citizen);
        }
        for (const r of await backend.query(q)) console.log(r.body);
      }).catch(fail),
    );
}
