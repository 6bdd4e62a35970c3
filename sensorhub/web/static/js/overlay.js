// Several tests' total force on one chart, each shifted so its onset is at 0 s.
import { minMax } from "./decimate.js";
import { $, setText } from "./dom.js";
import * as fmt from "./format.js";
import { getJSON } from "./net.js";
import { loadRecording } from "./recording.js";
import { axis, sizedChart } from "./uplot.js";

const PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#56b4e9", "#e69f00", "#16181d"];
const BUCKETS = 2_000; // per test: plenty for a chart a screen wide
const GRID_MS = 1; // the shared time axis, in ms steps

let chart = null;

export async function showOverlay(selected) {
  // A test whose raw curve retention removed has none to draw (docs/operations.md#retention).
  const tests = selected.filter((test) => !test.samples_thinned_at);
  const thinned = selected.length - tests.length;
  const traces = await Promise.all(tests.map(async (test) => {
    const [rec, analysis] = await Promise.all([
      loadRecording(test),
      getJSON(`/api/tests/${test.id}/analysis`).then((r) => r.data, () => null),
    ]);
    const onset = analysis?.result?.onset?.time_s ?? 0;
    const [x, y] = minMax(rec.time, [rec.total], 0, rec.length, BUCKETS);
    return { test, onset, x: x.map((s) => Math.round((s - onset) * 1000 / GRID_MS) * GRID_MS / 1000), y };
  }));
  // uPlot wants one x array: merge every trace's times and leave gaps where a trace has none.
  const xs = [...new Set(traces.flatMap((t) => t.x))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = traces.map((t) => {
    const column = new Array(xs.length).fill(null);
    t.x.forEach((x, i) => { column[index.get(x)] = t.y[i]; });
    return column;
  });
  const series = [{ label: "from onset (s)", value: (u, v) => (v == null ? "–" : v.toFixed(3)) },
    ...traces.map((t, i) => ({
      label: `#${t.test.id} ${t.test.athlete ?? ""} ${fmt.dateTime(t.test.started_at)} (N)`,
      stroke: PALETTE[i % PALETTE.length], width: 1.5, spanGaps: true, points: { show: false },
    }))];
  const panel = $("#overlay");
  panel.hidden = false;
  const container = $("#overlay-chart");
  container.replaceChildren();
  chart?.destroy();
  chart = sizedChart(container, {
    scales: { x: { time: false } },
    axes: [axis("Time from onset (s)"), axis("Total force (N)", { size: 60 })],
    series,
    cursor: { drag: { x: true, y: false } },
  }, [xs, ...ys], 360);
  container.dataset.series = String(traces.length);
  const athletes = new Set(tests.map((t) => t.athlete ?? "(no athlete)"));
  setText("#overlay-note", (athletes.size > 1
    ? `Note: these tests belong to ${athletes.size} athletes (${[...athletes].join(", ")}).`
    : `${tests.length} tests of ${[...athletes][0]}. Drag to zoom, double-click to reset.`) +
    (thinned ? ` ${thinned} selected left out: raw curve removed by retention.` : ""));
  panel.scrollIntoView({ behavior: "smooth", block: "start" });
}
