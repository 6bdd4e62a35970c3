// uPlot is loaded by a classic <script> (the package ships no minified ES module).
// Charts here size themselves to their container and follow it when it resizes.

export const uPlot = globalThis.uPlot;

export function sizedChart(container, opts, data, height = 320) {
  const width = () => Math.max(200, Math.floor(container.clientWidth));
  // Right padding keeps the last time label inside the chart.
  const chart = new uPlot({ padding: [12, 28, 0, 0], ...opts, width: width(), height }, data, container);
  new ResizeObserver(() => {
    if (Math.abs(chart.width - width()) > 1) chart.setSize({ width: width(), height });
  }).observe(container);
  return chart;
}

export const COLORS = { left: "#0072b2", right: "#d55e00", total: "#16181d" };

export function axis(label, extra = {}) {
  return { label, stroke: "#4f5663", grid: { stroke: "#e4e7ec" }, ticks: { stroke: "#c9ced6" }, ...extra };
}

const DAY_S = 86_400;
const isoDay = (s) => new Date(s * 1000).toISOString().slice(0, 10);

// A time axis of session days: the legend says "Date" with the day (not uPlot's "Time"), and
// the range is at least a week around the sessions, so one session is a point in the middle
// of a readable week, never an axis of years with the point on its edge.
export function dayAxis(days) {
  const first = Math.min(...days);
  const last = Math.max(...days);
  const pad = Math.max(3.5 * DAY_S - (last - first) / 2, (last - first) * 0.08, DAY_S);
  return {
    xSeries: { label: "Date", value: (u, v) => (v == null ? "–" : isoDay(v)) },
    xAxis: axis("Date"),
    xScale: { time: true, range: () => [first - pad, last + pad] },
  };
}

const line = (label, stroke, width = 1.5) => ({ label, stroke, width, points: { show: false } });

// Every force chart (live and recorded) has the same axes and series: time, left, right,
// total. Fresh objects per chart, because uPlot keeps state on the options it is given.
export function forceAxes() {
  return [axis("Time (s)"), axis("Force (N)", { size: 60 })];
}

export function forceSeries() {
  return [
    { label: "t (s)", value: (u, v) => (v == null ? "–" : v.toFixed(3)) },
    line("Left (N)", COLORS.left),
    line("Right (N)", COLORS.right),
    line("Total (N)", COLORS.total, 2),
  ];
}
