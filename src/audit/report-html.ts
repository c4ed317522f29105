import type { Report, ReportGroup } from './report.js';

/**
 * The R5 report as a page for people: bilingual (Vietnamese first, English
 * beside it), with its charts drawn as inline SVG generated here, so the
 * page needs nothing from the network (the machines it is read on may have
 * none) and prints as it shows.
 */

const esc = (s: string | number) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Colours of the charts (also what the browser test looks for on the screenshot). */
export const CHART_COLOURS = {
  answered: '#1f6feb',
  refused: '#d97706',
  errors: '#b91c1c',
} as const;

const sum = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
const fmtTime = (ms: number) =>
  new Date(ms + 7 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

/** Vertical bars, one per hour of the day. */
function hoursChart(byHour: number[]): string {
  const w = 720;
  const h = 220;
  const pad = 30;
  const max = Math.max(1, ...byHour);
  const bw = (w - 2 * pad) / 24;
  const bars = byHour
    .map((n, i) => {
      const bh = ((h - 2 * pad) * n) / max;
      const x = pad + i * bw;
      return (
        `<rect x="${(x + 2).toFixed(1)}" y="${(h - pad - bh).toFixed(1)}" width="${(bw - 4).toFixed(1)}" height="${bh.toFixed(1)}" fill="${CHART_COLOURS.answered}"><title>${String(i).padStart(2, '0')}:00 — ${n}</title></rect>` +
        `<text x="${(x + bw / 2).toFixed(1)}" y="${h - pad + 14}" font-size="10" text-anchor="middle">${i}</text>`
      );
    })
    .join('');
  return (
    `<svg class="chart" role="img" aria-label="Yêu cầu theo giờ / Requests by hour" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" xmlns="http://www.w3.org/2000/svg">` +
    `<line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#444"/>` +
    `<text x="${pad}" y="16" font-size="11">max ${max}</text>${bars}</svg>`
  );
}

/** Horizontal stacked bars: answered, refused, errors, per connection and service. */
function outcomesChart(groups: ReportGroup[]): string {
  const w = 720;
  const rowH = 26;
  const labelW = 260;
  const h = Math.max(1, groups.length) * rowH + 20;
  const max = Math.max(1, ...groups.map((g) => g.requests));
  const scale = (w - labelW - 20) / max;
  const rows = groups
    .map((g, i) => {
      const y = 10 + i * rowH;
      const parts: [number, string][] = [
        [g.answered, CHART_COLOURS.answered],
        [sum(g.refusals), CHART_COLOURS.refused],
        [sum(g.errors), CHART_COLOURS.errors],
      ];
      let x = labelW;
      const rects = parts
        .filter(([n]) => n > 0)
        .map(([n, c]) => {
          const r = `<rect x="${x.toFixed(1)}" y="${y}" width="${(n * scale).toFixed(1)}" height="${rowH - 8}" fill="${c}"><title>${n}</title></rect>`;
          x += n * scale;
          return r;
        })
        .join('');
      const label = `${g.org || '—'} · ${g.service || '—'}`;
      return `<text x="0" y="${y + rowH / 2}" font-size="11">${esc(label.length > 42 ? label.slice(0, 41) + '…' : label)}</text>${rects}`;
    })
    .join('');
  return `<svg class="chart" role="img" aria-label="Kết quả theo kết nối / Outcomes by connection" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" xmlns="http://www.w3.org/2000/svg">${rows}</svg>`;
}

function reasonsTable(m: Record<string, number>): string {
  const e = Object.entries(m).sort((a, b) => b[1] - a[1]);
  return e.length ? e.map(([c, n]) => `<code>${esc(c)}</code> ${n}`).join('<br>') : '—';
}

export function reportHtml(r: Report): string {
  const t = r.totals;
  const rows = r.groups
    .map(
      (g) =>
        `<tr><td>${esc(g.org || '—')}</td><td>${esc(g.service || '—')}</td><td class="n">${g.requests}</td><td class="n">${g.answered}</td>` +
        `<td>${reasonsTable(g.refusals)}</td><td>${reasonsTable(g.errors)}</td>` +
        `<td class="n">${g.latencyMs.p50} / ${g.latencyMs.p90} / ${g.latencyMs.p99}</td>` +
        `<td>${g.busiestHours.map((h) => `${String(h.hour).padStart(2, '0')}:00 (${h.requests})`).join(', ') || '—'}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>Báo cáo kết nối, chia sẻ dữ liệu ${esc(r.period.label)} / Data-sharing report ${esc(r.period.label)}</title>
<style>
body { font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; margin: 2em; color: #111; background: #fff; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
.en { color: #555; font-weight: normal; }
table { border-collapse: collapse; margin-top: .5em; } td, th { border: 1px solid #bbb; padding: .3em .5em; vertical-align: top; font-size: .9em; }
td.n { text-align: right; white-space: nowrap; } .legend span { display: inline-block; width: 1em; height: 1em; vertical-align: middle; margin: 0 .3em 0 1em; }
</style>
</head>
<body>
<h1>Báo cáo tình hình kết nối, chia sẻ dữ liệu <span class="en">/ Connection and data-sharing report</span></h1>
<p>Kỳ báo cáo <span class="en">/ Period</span>: <b>${esc(r.period.label)}</b> (${esc(fmtTime(r.period.from))} – ${esc(fmtTime(r.period.to))}, UTC${esc(r.period.timezone)}) · Lập lúc <span class="en">/ generated</span> ${esc(fmtTime(r.generatedAt))}</p>
<table>
<tr><th>Tổng số yêu cầu <span class="en">/ Requests</span></th><th>Trả lời <span class="en">/ Answered</span></th><th>Từ chối <span class="en">/ Refused</span></th><th>Lỗi <span class="en">/ Errors</span></th><th>Độ trễ p50 / p90 / p99 (ms) <span class="en">/ Latency</span></th></tr>
<tr><td class="n">${t.requests}</td><td class="n">${t.answered}</td><td class="n">${sum(t.refusals)}</td><td class="n">${sum(t.errors)}</td><td class="n">${t.latencyMs.p50} / ${t.latencyMs.p90} / ${t.latencyMs.p99}</td></tr>
</table>
<h2>Yêu cầu theo giờ trong ngày <span class="en">/ Requests by hour of day</span></h2>
${hoursChart(t.byHour)}
<h2>Kết quả theo kết nối và dịch vụ <span class="en">/ Outcomes by connection and service</span></h2>
<p class="legend"><span style="background:${CHART_COLOURS.answered}"></span>Trả lời / answered<span style="background:${CHART_COLOURS.refused}"></span>Từ chối / refused<span style="background:${CHART_COLOURS.errors}"></span>Lỗi / errors</p>
${outcomesChart(r.groups)}
<h2>Chi tiết <span class="en">/ Details</span></h2>
<table>
<tr><th>Tổ chức <span class="en">/ Organisation</span></th><th>Dịch vụ <span class="en">/ Service</span></th><th>Yêu cầu <span class="en">/ Requests</span></th><th>Trả lời <span class="en">/ Answered</span></th><th>Từ chối theo lý do <span class="en">/ Refusals by reason</span></th><th>Lỗi <span class="en">/ Errors</span></th><th>p50 / p90 / p99 ms</th><th>Giờ cao điểm <span class="en">/ Busiest hours</span></th></tr>
${rows}
</table>
</body>
</html>
`;
}
