/**
 * The script of the HTML report, run in the reader's browser: draws the charts with uPlot (inlined
 * beside it) from the report's JSON, with the ramp steps marked as vertical lines.
 */
export const CHART_SCRIPT = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('soak-data').textContent);
  var w = data.windows;
  var xs = w.map(function (x) { return x.endMs / 1000; });
  var phases = data.phases;
  var width = Math.min(1100, document.getElementById('charts').clientWidth || 1000);
  function marks(u) {
    var ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = '#9aa3ad';
    ctx.fillStyle = '#4b5563';
    ctx.setLineDash([4, 4]);
    ctx.font = (11 * devicePixelRatio) + 'px sans-serif';
    phases.forEach(function (p) {
      var x = u.valToPos(p.startMs / 1000, 'x', true);
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.fillText(p.kind === 'step' ? 'x' + p.multiple : 'recovery', x + 4, u.bbox.top + 12 * devicePixelRatio);
    });
    ctx.restore();
  }
  function chart(id, title, unit, series, values) {
    var opts = {
      title: title,
      width: width,
      height: 240,
      scales: { x: { time: false } },
      axes: [{ label: 'seconds' }, { label: unit, size: 60 }],
      series: [{ label: 's' }].concat(series.map(function (s) {
        return { label: s[0], stroke: s[1], width: 2, points: { show: false } };
      })),
      hooks: { draw: [marks] },
    };
    new uPlot(opts, [xs].concat(values), document.getElementById(id));
  }
  chart('latency', 'Latency from when each command was due (all commands)', 'ms',
    [['p50', '#2563eb'], ['p95', '#d97706'], ['p99', '#dc2626'], ['max', '#6b7280']],
    ['p50', 'p95', 'p99', 'max'].map(function (k) { return w.map(function (x) { return x.all[k]; }); }));
  var names = data.commandNames;
  var palette = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2', '#be185d', '#4d7c0f', '#92400e', '#334155'];
  chart('commands', 'p95 per command', 'ms',
    names.map(function (n, i) { return [n, palette[i % palette.length]]; }),
    names.map(function (n) { return w.map(function (x) { var c = x.commands[n]; return c && c.count ? c.p95 : null; }); }));
  chart('rate', 'Rate', 'per second',
    [['actions offered', '#6b7280'], ['commands answered', '#2563eb']],
    [w.map(function (x) { return x.offered / ((x.endMs - x.startMs) / 1000); }), w.map(function (x) { return x.all.rate; })]);
  chart('errors', 'Errors', 'commands',
    [['errors', '#dc2626']], [w.map(function (x) { return x.all.errors; })]);
  chart('connections', 'Connections open', 'connections',
    [['connections', '#16a34a']], [w.map(function (x) { return x.connections; })]);
  chart('lag', 'Generator lag (its own, against the schedule)', 'ms',
    [['lag p99', '#7c3aed'], ['lag max', '#c4b5fd']],
    [w.map(function (x) { return x.lag.p99; }), w.map(function (x) { return x.lag.max; })]);
})();
`;
