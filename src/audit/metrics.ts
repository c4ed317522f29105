import { Counter, type Registry } from 'prom-client';
import type { SharingLog } from './log.js';

/**
 * lienthong_audit_records_total{outcome}: records written, failed (their
 * batch could not be written) and refused (the queue was full), read from the
 * writer's tallies at scrape time; lienthong_audit_batches_total: the
 * commits they took (records / batches is the group-commit factor).
 */
export function registerAuditMetrics(registry: Registry, audit: SharingLog): void {
  new Counter({
    name: 'lienthong_audit_records_total',
    help: 'Sharing-log records by outcome: written, failed (their batch could not be written), refused (too many waiting)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      this.reset();
      this.labels('written').inc(audit.stats.records);
      this.labels('failed').inc(audit.stats.failed);
      this.labels('refused').inc(audit.refused);
    },
  });
  new Counter({
    name: 'lienthong_audit_batches_total',
    help: 'Sharing-log transactions written (group commits)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(audit.stats.batches);
    },
  });
}
