// Window features of one wearable (HR, RMSSD, quality, per-window prediction) and the HR and
// RMSSD charts, with the study session's phases shaded behind them.
import * as fmt from "./format.js";

// A day of windows at the default 5 s step is 17 280; the chart keeps the last few hours.
const MAX_WINDOWS = 2000;
const PHASE_COLORS = {
  baseline: "rgba(0, 114, 178, 0.10)", stress: "rgba(179, 38, 30, 0.14)",
  amusement: "rgba(0, 158, 115, 0.12)", recovery: "rgba(123, 132, 148, 0.14)",
  custom: "rgba(230, 159, 0, 0.14)",
};

export class DeviceWindows {
  constructor() {
    this.byId = new Map();
    this.time = []; this.hr = []; this.rmssd = []; this.sqi = [];
    this.latest = null;
  }

  add(w) {
    if (w.id != null && this.byId.has(w.id)) return;
    this.byId.set(w.id, w);
    const t = Date.parse(w.at) / 1000;
    // Windows come in order of their end; a late one is put in its place.
    let i = this.time.length;
    while (i > 0 && this.time[i - 1] > t) i--;
    this.time.splice(i, 0, t);
    this.hr.splice(i, 0, w.hr_bpm);
    this.rmssd.splice(i, 0, w.rmssd_ms);
    this.sqi.splice(i, 0, w.sqi);
    if (!this.latest || Date.parse(this.latest.at) <= Date.parse(w.at)) this.latest = w;
    if (this.time.length > MAX_WINDOWS) {
      for (const a of [this.time, this.hr, this.rmssd, this.sqi]) a.shift();
    }
  }
}

// uPlot hook: shade each phase [start, end) behind the series.
export function phaseBands(getPhases) {
  return (u) => {
    const { ctx } = u;
    const { top, height } = u.bbox;
    ctx.save();
    for (const p of getPhases()) {
      const x0 = u.valToPos(Date.parse(p.start) / 1000, "x", true);
      const x1 = u.valToPos(p.end ? Date.parse(p.end) / 1000 : u.scales.x.max, "x", true);
      ctx.fillStyle = PHASE_COLORS[p.phase] ?? PHASE_COLORS.custom;
      ctx.fillRect(x0, top, Math.max(0, x1 - x0), height);
    }
    ctx.restore();
  };
}

export function qualityText(w) {
  if (!w) return "–";
  return w.quality === "good" ? `good (SQI ${fmt.number(w.sqi, 2)})` : `poor: ${w.reason}`;
}
