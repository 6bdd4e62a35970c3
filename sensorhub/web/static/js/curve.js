// One test's force-time curve with the analysis drawn on it: weighing window, onset, RFD
// windows and peak. A click (not a drag) on the plot reports the time for a manual onset.
import { minMax } from "./decimate.js";
import { forceAxes, forceSeries, sizedChart } from "./uplot.js";

// Up to this many samples are drawn as they are; longer tests are min/max decimated.
const FULL_DETAIL_MAX = 20_000;
const DECIMATED_BUCKETS = 5_000;
const CLICK_SLOP_PX = 4;

export class TestCurve {
  #result = null;
  #pendingOnset = null;

  constructor(container, rec, onPick) {
    const data = minMax(rec.time, [rec.left, rec.right, rec.total], 0, rec.length,
      rec.length > FULL_DETAIL_MAX ? DECIMATED_BUCKETS : rec.length);
    const opts = {
      scales: { x: { time: false } },
      axes: forceAxes(),
      series: forceSeries(),
      cursor: { drag: { x: true, y: false } },
      hooks: { draw: [(u) => this.#drawMarks(u)] },
    };
    this.chart = sizedChart(container, opts, data, 380);
    this.container = container;
    container.dataset.points = String(data[0].length);
    this.#listenForPicks(onPick);
  }

  show(result) {
    this.#result = result;
    // how many jump phases are shaded (0 for an IMTP), for people reading the DOM and for tests
    this.container.dataset.phases = String((result?.reps ?? []).flatMap((r) => r.phases).length);
    this.#pendingOnset = null;
    this.chart.redraw(false);
  }

  pending(timeS) {
    this.#pendingOnset = timeS;
    this.chart.redraw(false);
  }

  #listenForPicks(onPick) {
    const over = this.chart.over;
    let downX = null;
    over.addEventListener("mousedown", (e) => { downX = e.clientX; });
    over.addEventListener("click", (e) => {
      if (downX !== null && Math.abs(e.clientX - downX) > CLICK_SLOP_PX) return; // a zoom drag
      const time = this.chart.posToVal(this.chart.cursor.left, "x");
      if (Number.isFinite(time) && time >= 0) onPick(Math.round(time * 1000) / 1000);
    });
  }

  #drawMarks(u) {
    if (this.#result?.reps) {
      this.#drawJumps(u);
      return;
    }
    const r = this.#result;
    const ctx = u.ctx;
    const { top, height } = u.bbox;
    const x = (s) => u.valToPos(s, "x", true);
    const y = (n) => u.valToPos(n, "y", true);
    const px = devicePixelRatio;
    ctx.save();
    ctx.font = `${12 * px}px system-ui, sans-serif`;
    ctx.textAlign = "left";
    ctx.textBaseline = "alphabetic";
    const vline = (s, color, dash, label, labelRow = 0) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5 * px;
      ctx.setLineDash(dash.map((d) => d * px));
      ctx.beginPath();
      ctx.moveTo(x(s), top);
      ctx.lineTo(x(s), top + height);
      ctx.stroke();
      if (label) {
        ctx.fillStyle = color;
        ctx.fillText(label, x(s) + 4 * px, top + (14 + 14 * labelRow) * px);
      }
    };
    if (r) {
      const w = r.weighing;
      ctx.fillStyle = "rgba(79, 86, 99, 0.14)";
      ctx.fillRect(x(w.start_s), top, x(w.end_s) - x(w.start_s), height);
      ctx.fillStyle = "#4f5663";
      ctx.fillText("weighing", x(w.start_s) + 4 * px, top + 14 * px);
      if (r.onset) {
        const onset = r.onset.time_s;
        for (const win of r.windows) {
          if (win.rfd_n_per_s !== null) vline(onset + win.window_ms / 1000, "#7b8494", [3, 3]);
        }
        vline(onset, "#1b6e35", [], "onset", 1);
      }
      if (r.peak) {
        vline(r.peak.time_s, "#b3261e", [], "peak", 2);
        ctx.fillStyle = "#b3261e";
        ctx.beginPath();
        ctx.arc(x(r.peak.time_s), y(r.peak.force_n), 5 * px, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    if (this.#pendingOnset !== null) vline(this.#pendingOnset, "#6a1b9a", [6, 4], "new onset?", 3);
    ctx.restore();
  }

  // A jump analysis: every rep's phases shaded, its events as labelled lines (docs/jumps.md).
  #drawJumps(u) {
    const ctx = u.ctx;
    const { top, height } = u.bbox;
    const x = (s) => u.valToPos(s, "x", true);
    const px = devicePixelRatio;
    ctx.save();
    ctx.font = `${11 * px}px system-ui, sans-serif`;
    for (const rep of this.#result.reps) {
      for (const phase of rep.phases) {
        ctx.fillStyle = PHASE_COLOURS[phase.name] ?? "rgba(79, 86, 99, 0.10)";
        ctx.fillRect(x(phase.start_s), top, x(phase.end_s) - x(phase.start_s), height);
      }
      let row = 0;
      for (const name of EVENT_LINES) {
        const time = rep.events[name];
        if (time === undefined) continue;
        ctx.strokeStyle = "#1f2937";
        ctx.lineWidth = 1 * px;
        ctx.beginPath();
        ctx.moveTo(x(time), top);
        ctx.lineTo(x(time), top + height);
        ctx.stroke();
        ctx.fillStyle = "#1f2937";
        ctx.fillText(name.replace("_", "-"), x(time) + 3 * px, top + (12 + 12 * (row++ % 4)) * px);
      }
    }
    if (this.#pendingOnset !== null) {
      ctx.strokeStyle = "#6a1b9a";
      ctx.setLineDash([6 * px, 4 * px]);
      ctx.beginPath();
      ctx.moveTo(x(this.#pendingOnset), top);
      ctx.lineTo(x(this.#pendingOnset), top + height);
      ctx.stroke();
    }
    ctx.restore();
  }
}

// McMahon et al. 2018's phases, one tint each; the events a person may move are drawn as lines.
const PHASE_COLOURS = {
  weighing: "rgba(79, 86, 99, 0.14)",
  unweighting: "rgba(234, 179, 8, 0.18)",
  braking: "rgba(220, 38, 38, 0.16)",
  propulsion: "rgba(22, 163, 74, 0.18)",
  flight: "rgba(37, 99, 235, 0.12)",
  landing: "rgba(147, 51, 234, 0.14)",
  contact: "rgba(22, 163, 74, 0.14)",
};
const EVENT_LINES = ["onset", "take_off", "landing"];
