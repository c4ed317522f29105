import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport, periodOf } from '../../src/audit/report.js';
import { CHART_COLOURS, reportHtml } from '../../src/audit/report-html.js';
import { decodePng } from '../helpers/png.js';
import { rec } from '../unit/audit/records.js';

/**
 * The HTML report (R5) in a real headless browser, Debian's chromium: the
 * charts are painted (bars of their colours on the screenshot), not just
 * present in the markup.
 */
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'lt-report-browser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const flags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  `--user-data-dir=${join(dir, 'profile')}`,
];

const hex = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));

describe('HTML report in headless chromium', () => {
  it('renders its charts', () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (.ci/run does when missing)`,
      );
    const at = (h: number) => Date.parse(`2026-02-03T${String(h).padStart(2, '0')}:10:00+07:00`);
    const records = [
      ...Array.from({ length: 40 }, (_, i) => rec({ at: at(8 + (i % 9)) })),
      ...Array.from({ length: 12 }, () => rec({ code: 'LT_AUTH_MISSING', at: at(10) })),
      ...Array.from({ length: 5 }, () =>
        rec({ code: 'LT_UPSTREAM_TIMEOUT', at: at(11), org: '000.00.00.H01' }),
      ),
    ];
    const file = join(dir, 'report.html');
    writeFileSync(file, reportHtml(buildReport(records, periodOf('2026-H1')!)));
    const png = join(dir, 'shot.png');
    const shot = spawnSync(
      CHROMIUM,
      [...flags, `--screenshot=${png}`, '--window-size=1000,1200', `file://${file}`],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(existsSync(png)).toBe(true);
    const img = decodePng(readFileSync(png));
    const count = (colour: string) => {
      const [r, g, b] = hex(colour);
      let n = 0;
      for (let y = 0; y < img.height; y++)
        for (let x = 0; x < img.width; x++) {
          const [pr, pg, pb] = img.rgba(x, y);
          if (Math.abs(pr - r) < 12 && Math.abs(pg - g) < 12 && Math.abs(pb - b) < 12) n++;
        }
      return n;
    };
    // Bars, not a legend swatch: thousands of pixels of the answered colour; the other
    // two colours are painted as well (their bars and the legend).
    expect(count(CHART_COLOURS.answered)).toBeGreaterThan(3000);
    expect(count(CHART_COLOURS.refused)).toBeGreaterThan(300);
    expect(count(CHART_COLOURS.errors)).toBeGreaterThan(300);
    expect(shot.status).toBe(0);

    const dom = spawnSync(CHROMIUM, [...flags, '--dump-dom', `file://${file}`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(dom.stdout.match(/<svg class="chart"/g)).toHaveLength(2);
    expect(dom.stdout).toContain('Requests by hour of day');
  }, 120_000);
});
