import { describe, expect, it } from '@jest/globals';
import { rec } from './records.js';
import { buildReport, periodOf, reportCsv } from '../../../src/audit/report.js';
import { reportHtml } from '../../../src/audit/report-html.js';

/** R5: the 6-monthly and annual report from the log's records. */
describe('R5 reports', () => {
  it('periods are halves and years in UTC+7', () => {
    expect(periodOf('2026-H1')).toEqual({
      label: '2026-H1',
      from: Date.parse('2026-01-01T00:00:00+07:00'),
      to: Date.parse('2026-07-01T00:00:00+07:00'),
    });
    expect(periodOf('2026-H2')!.to).toBe(Date.parse('2027-01-01T00:00:00+07:00'));
    expect(periodOf('2026')!.from).toBe(Date.parse('2026-01-01T00:00:00+07:00'));
    expect(periodOf('2026-H3')).toBeUndefined();
    expect(periodOf('26')).toBeUndefined();
  });

  it('counts per connection and service: answers, refusals by reason, errors, latency percentiles, busiest hours', () => {
    const at = (h: number) => Date.parse(`2026-03-02T${String(h).padStart(2, '0')}:30:00+07:00`);
    const records = [
      ...Array.from({ length: 100 }, (_, i) => rec({ ms: i + 1, at: at(i < 60 ? 9 : 14) })),
      rec({ code: 'LT_AUTH_MISSING', at: at(9) }),
      rec({ code: 'LT_AUTH_MISSING', at: at(9) }),
      rec({ code: 'LT_CCCD_INVALID', at: at(9) }),
      rec({ code: 'LT_UPSTREAM_TIMEOUT', at: at(22) }),
      rec({ org: '000.00.00.H01', service: 'lienthong.ConnectionTest' }),
      rec({ kind: 'refusal', code: 'LT_ROUTE_NOT_FOUND', org: undefined, service: undefined }),
      rec({ kind: 'login', code: 'OK' }),
      // Outside the period (the last instant of 2025 in Hanoi, and the first of H2).
      rec({ at: Date.parse('2025-12-31T23:59:59+07:00') }),
      rec({ at: Date.parse('2026-07-01T00:00:00+07:00') }),
    ];
    const r = buildReport(records, periodOf('2026-H1')!, 0);
    expect(r.totals.requests).toBe(106);
    const npd = r.groups.find((g) => g.org === '000.00.00.H57')!;
    expect(npd).toMatchObject({
      service: 'npd.TraCuuThongTinCongDan',
      requests: 104,
      answered: 100,
      refusals: { LT_AUTH_MISSING: 2, LT_CCCD_INVALID: 1 },
      errors: { LT_UPSTREAM_TIMEOUT: 1 },
    });
    // 104 latencies, 1..100 and four more of 10 ms; nearest rank: the 52nd is 48, the 94th 90, the 103rd 99.
    expect(npd.latencyMs).toEqual({ p50: 48, p90: 90, p99: 99, max: 100 });
    expect(npd.busiestHours).toEqual([
      { hour: 9, requests: 63 },
      { hour: 14, requests: 40 },
      { hour: 22, requests: 1 },
    ]);
    expect(r.groups.find((g) => g.org === '')).toMatchObject({
      refusals: { LT_ROUTE_NOT_FOUND: 1 },
    });
    expect(r.groups).toHaveLength(3);
  });

  it('CSV: a header, one quoted-when-needed line per group', () => {
    const r = buildReport(
      [rec({ service: 'a,"b"' }), rec({ service: 'a,"b"', code: 'LT_CCCD_INVALID' })],
      periodOf('2026')!,
      0,
    );
    const lines = reportCsv(r).split('\r\n');
    expect(lines[0]).toMatch(/^period,org,service,requests,answered,refused,errors,p50_ms/);
    expect(lines[1]).toBe(
      '2026,000.00.00.H57,"a,""b""",2,1,1,0,10,10,10,10,09:00,LT_CCCD_INVALID:1,',
    );
  });

  it('HTML: bilingual, charts inline, nothing from the network, what it shows escaped', () => {
    const html = reportHtml(
      buildReport([rec({ service: '<script>x</script>' })], periodOf('2026')!, 0),
    );
    expect(html).toContain('Báo cáo tình hình kết nối, chia sẻ dữ liệu');
    expect(html).toContain('Connection and data-sharing report');
    expect(html.match(/<svg class="chart"/g)).toHaveLength(2);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain('&#60;script&#62;');
  });
});
