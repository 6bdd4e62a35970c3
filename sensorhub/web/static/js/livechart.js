// The live force chart (left, right, total). Samples go into a SampleBuffer as they come;
// the chart redraws at most once per animation frame, from a min/max-decimated copy of
// the visible samples (about two points per pixel column), so 1000 Hz stays smooth.
import { lowerBound, minMax } from "./decimate.js";
import { forceAxes, forceSeries, sizedChart } from "./uplot.js";

const LIVE_WINDOW_MS = 10_000;

export class LiveForceChart {
  // stats: redraws and milliseconds spent decimating + drawing, for the performance check.
  stats = { redraws: 0, renderMs: 0 };
  #mode = "live"; // "live": the last 10 s before the newest sample; "test": from its start
  #dirty = true;
  #drawStart = 0;
  #target = null; // N: a dashed line across the chart, or none

  constructor(container, buffer) {
    this.container = container;
    this.buffer = buffer;
    const opts = {
      scales: {
        x: { time: false, range: (u, min, max) => this.#xRange(min, max) },
        y: { range: (u, min, max) => [Math.min(0, min), Math.max(100, max * 1.05, (this.#target ?? 0) * 1.05)] },
      },
      axes: forceAxes(),
      series: forceSeries(),
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      hooks: { draw: [(u) => this.#drawTarget(u), () => this.#drawn()] },
    };
    this.chart = sizedChart(container, opts, [[], [], [], []], 340);
    requestAnimationFrame(this.#frame);
  }

  get mode() { return this.#mode; }

  setMode(mode) {
    this.#mode = mode;
    this.#dirty = true;
  }

  changed() { this.#dirty = true; }

  setTarget(newtons) {
    this.#target = newtons;
    this.container.dataset.target = newtons === null ? "" : String(Math.round(newtons));
    this.#dirty = true;
  }

  #drawTarget(u) {
    if (this.#target === null) return;
    const y = Math.round(u.valToPos(this.#target, "y", true));
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = "#2e7d32";
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.setLineDash([8 * devicePixelRatio, 6 * devicePixelRatio]);
    ctx.beginPath();
    ctx.moveTo(u.bbox.left, y);
    ctx.lineTo(u.bbox.left + u.bbox.width, y);
    ctx.stroke();
    ctx.restore();
  }

  #xRange(min, max) {
    if (this.#mode === "live") return [-LIVE_WINDOW_MS / 1000, 0];
    return [0, Math.max(1, max ?? 1)];
  }

  #frame = () => {
    if (this.#dirty) {
      this.#dirty = false;
      this.#draw();
    }
    requestAnimationFrame(this.#frame);
  };

  #draw() {
    this.#drawStart = performance.now();
    const b = this.buffer;
    const end = b.length;
    const live = this.#mode === "live";
    const start = live ? lowerBound(b.t, end, b.last - LIVE_WINDOW_MS) : 0;
    const origin = live ? b.last : b.first;
    const buckets = Math.max(50, Math.round(this.chart.bbox.width / devicePixelRatio));
    const data = minMax(b.t, [b.l, b.r, b.total], start, end, buckets);
    data[0] = data[0].map((t) => (t - origin) / 1000);
    this.container.dataset.samples = String(end - start);
    this.container.dataset.points = String(data[0].length);
    this.chart.setData(data);
  }

  #drawn() {
    if (!this.#drawStart) return;
    this.stats.redraws++;
    this.stats.renderMs += performance.now() - this.#drawStart;
    this.#drawStart = 0;
  }
}
