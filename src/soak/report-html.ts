import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { formatMs } from './duration-text.js';
import { COMMANDS, type LatencyFigures } from './figures.js';
import { CHART_SCRIPT } from './report-charts.js';
import type { PhaseResult, SoakResult } from './soak-result.js';

const require = createRequire(import.meta.url);

/** uPlot's script and style, read from the package once (MIT, no dependencies), to inline. */
function uplotAssets(): { script: string; style: string } {
  return {
    script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    style: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}

const escape = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** JSON safe inside a <script> element: no '</script>' or '<!--' can end it early. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

const ms = (value: number): string => (value === 0 ? '–' : formatMs(value));

function figureCells(f: LatencyFigures | undefined): string {
  if (!f || f.count === 0) return '<td colspan="7" class="none">not measured</td>';
  const errors =
    f.errors === 0 ? '0' : `<b class="bad">${f.errors} (${((f.errors / f.count) * 100).toFixed(1)}%)</b>`;
  return `<td>${f.count}</td><td>${f.rate}/s</td><td>${ms(f.p50)}</td><td>${ms(f.p95)}</td><td>${ms(f.p99)}</td><td>${ms(f.max)}</td><td>${errors}</td>`;
}

function phaseTable(phase: Pick<PhaseResult, 'name' | 'figures'>, failing: Set<string>): string {
  const rows = COMMANDS.filter((c) => phase.figures.commands[c]).map(
    (c) => `<tr><th>${c}</th>${figureCells(phase.figures.commands[c])}</tr>`,
  );
  const limited = phase.figures.generatorLimited
    ? ` <span class="warn">generator was the limit (lag p99 ${formatMs(phase.figures.lag.p99)})</span>`
    : '';
  return `<h3 class="${failing.has(phase.name) ? 'bad' : ''}">${escape(phase.name)}${limited}</h3>
<table><thead><tr><th>command</th><th>count</th><th>rate</th><th>p50</th><th>p95</th><th>p99</th><th>max</th><th>errors</th></tr></thead>
<tbody>${rows.join('')}<tr class="total"><th>all</th>${figureCells(phase.figures.all)}</tr></tbody></table>`;
}

/** The HTML report: the verdict on top, the charts over time with the ramp steps marked, each step's table. */
export function soakReportHtml(result: SoakResult): string {
  const { script, style } = uplotAssets();
  const v = result.verdict;
  const failing = new Set(v.failures.map((f) => f.where));
  const failures = v.failures.length
    ? `<table class="failures"><thead><tr><th>threshold</th><th>where</th><th>seen</th></tr></thead><tbody>${v.failures
        .map(
          (f) =>
            `<tr><td>${escape(f.threshold)}</td><td>${escape(f.where)}</td><td>${escape(f.observed)}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '';
  const recovery =
    result.recovery.afterMs === undefined
      ? `not back within ${formatMs(result.recovery.boundMs)} p95 in the ${formatMs(result.recovery.watchedMs)} watched`
      : `back within ${formatMs(result.recovery.boundMs)} p95 (first step ${formatMs(result.recovery.baselineP95Ms)}) ${formatMs(result.recovery.afterMs)} after the top step`;
  const commandNames = COMMANDS.filter((c) => result.windows.some((w) => (w.commands[c]?.count ?? 0) > 0));
  const data = {
    windows: result.windows,
    phases: result.phases.map(({ figures: _f, ...p }) => p),
    commandNames,
  };
  const facts = [
    ['target', escape(result.endpoint ? `${result.endpoint} (${result.target})` : result.target)],
    ['when', `${escape(result.startedAt)} to ${escape(result.finishedAt)}`],
    [
      'load',
      `${result.users} simulated users standing for ${result.liveUsers} live users; ramp ${result.ramp.map((m) => `x${m}`).join(', ')}`,
    ],
    ['thresholds', v.thresholds.map(escape).join(', ') || 'none'],
    ['recovery', recovery],
    [
      'ended',
      result.ended === 'stopped'
        ? 'stopped early (Ctrl-C)'
        : result.ended === 'recovered'
          ? 'when recovery was seen'
          : 'at the planned end',
    ],
    [
      'mail',
      result.cleanup.kept
        ? `${result.cleanup.appended} appended messages kept (--keep)`
        : `${result.cleanup.appended} appended, ${result.cleanup.expunged} expunged by the profile, ${result.cleanup.removed} removed at the end${result.cleanup.problems.length ? `; ${escape(result.cleanup.problems.join('; '))}` : ''}`,
    ],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Soak ${v.go ? 'GO' : 'NO-GO'} · ${escape(result.endpoint ?? result.target)} · tranche</title>
<style>${style}
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1140px;padding:16px 20px;color:#1f2937}
.verdict{padding:14px 18px;border-radius:8px;color:#fff;margin-bottom:12px}
.verdict.go{background:#15803d}.verdict.nogo{background:#b91c1c}
.verdict h1{margin:0 0 4px;font-size:28px}.verdict p{margin:0}
table{border-collapse:collapse;margin:6px 0 14px}th,td{padding:3px 10px;text-align:right;border-bottom:1px solid #e5e7eb}
th:first-child{text-align:left}.facts th{text-align:left;color:#6b7280;font-weight:normal}.facts td{text-align:left}
.failures td{text-align:left}.bad{color:#b91c1c}.warn{color:#a16207;font-size:13px;font-weight:normal}.none{color:#9ca3af;text-align:left}
.total th,.total td{font-weight:600}h2{margin-top:22px}h3{margin:14px 0 2px}
</style></head><body>
<section class="verdict ${v.go ? 'go' : 'nogo'}"><h1>${v.go ? 'GO' : 'NO-GO'}</h1><p>${escape(v.summary)}</p></section>
${failures}
<table class="facts"><tbody>${facts.map(([k, val]) => `<tr><th>${k}</th><td>${val}</td></tr>`).join('')}</tbody></table>
<h2>Over time</h2><div id="charts"><div id="latency"></div><div id="commands"></div><div id="rate"></div><div id="errors"></div><div id="connections"></div><div id="lag"></div></div>
<h2>Per step</h2>
${result.phases.map((p) => phaseTable(p, failing)).join('\n')}
${phaseTable({ name: `steady (x${result.multiple})`, figures: result.steady }, failing)}
<p class="none">Latencies count from when each action was due on the open schedule, so a slow server cannot hide its worst delays; HDR histograms per command per ${formatMs(result.windowMs)} window.</p>
<script type="application/json" id="soak-data">${scriptJson(data)}</script>
<script>${script}</script>
<script>${CHART_SCRIPT}</script>
</body></html>
`;
}
