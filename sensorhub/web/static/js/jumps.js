// Jump tests: the headline numbers of a landed rep (`jump_rep`) and of a saved jump test.
import { h } from "./dom.js";
import { flagList } from "./flags.js";
import * as fmt from "./format.js";

const NBSP = "\u00a0";
const cm = (m) => `${fmt.number(m === null || m === undefined ? null : m * 100, 1)}${NBSP}cm`;
const ms = (s) => `${fmt.number(s === null || s === undefined ? null : s * 1000, 0)}${NBSP}ms`;
const mps = (v) => `${fmt.number(v, 2)}${NBSP}m/s`;

// What each test type is called on the pages (wire.TestTypeName).
export const TEST_TYPES = {
  imtp: "IMTP",
  cmj: "CMJ",
  squat_jump: "Squat jump",
  drop_jump: "Drop jump",
  rebound: "Rebound hops",
  drop_landing: "Drop landing",
};

// name -> [label, formatter]; docs/jumps.md defines each.
export const LABELS = {
  body_weight_n: ["Body weight", fmt.newtons],
  jump_height_impulse_m: ["Jump height", cm],
  jump_height_flight_m: ["Jump height (flight time)", cm],
  take_off_velocity_m_s: ["Take-off velocity", mps],
  time_to_take_off_s: ["Time to take-off", ms],
  rsi_modified_m_s: ["RSI modified", mps],
  countermovement_depth_m: ["Countermovement depth", cm],
  peak_landing_force_n: ["Peak landing force", fmt.newtons],
  rsi_m_s: ["RSI", mps],
  contact_time_s: ["Contact time", ms],
  flight_time_s: ["Flight time", ms],
  mean_rsi_best_hops_m_s: ["RSI, best 5 hops", mps],
  best_rsi_m_s: ["Best hop RSI", mps],
  mean_contact_time_best_hops_s: ["Contact time, best 5", ms],
  time_to_stabilisation_s: ["Time to stabilisation", ms],
};

// A saved test's first headline number as "label value" (an IMTP's peak force).
export function headline(summary) {
  if (!summary) return "–";
  if ((summary.test_type ?? "imtp") === "imtp") return `Peak force ${fmt.newtons(summary.peak_force_n)}`;
  const name = Object.keys(summary).find((key) => key !== "body_weight_n" && key in LABELS);
  if (!name) return "–";
  const [label, format] = LABELS[name];
  return `${label} ${format(summary[name])}`;
}

function box(name, value, cls = "") {
  const [label, format] = LABELS[name] ?? [name, (v) => fmt.number(v, 3)];
  const [number, unit = ""] = format(value).split(NBSP);
  return h("div", { class: `value ${cls}`, "data-metric": name },
    h("div", { class: "label" }, label),
    h("div", { class: "v" }, number, h("span", { class: "unit" }, unit)));
}

function boxes(metrics) {
  return Object.entries(metrics).map(([name, value], i) => box(name, value, i === 0 ? "total" : ""));
}

// One landed rep, as the live page lists them.
export function repView(event) {
  return h("div", { class: "stack rep", "data-rep": String(event.rep) },
    h("h3", {}, `Rep ${event.rep + 1} · landed at ${fmt.seconds(event.landed_s, 2)}`),
    h("div", { class: "values" }, ...boxes(event.metrics)),
    flagList(event.flags));
}

// A saved jump test's summary: its best rep's numbers.
export function jumpSummaryView(summary) {
  const { test_type: type, reps, best_rep: best, flags, body_weight_n: weight, ...rest } = summary;
  const heading = best === null
    ? `${type}: no rep found`
    : `${type}: ${reps} rep${reps === 1 ? "" : "s"}, best rep ${best + 1}`;
  return h("div", { class: "stack" },
    h("p", { class: "muted" }, heading),
    h("div", { class: "values" }, ...boxes(rest), box("body_weight_n", weight)),
    flagList(flags));
}
