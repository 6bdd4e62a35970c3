// The headline IMTP numbers (the `summary` of an analysis, as sent in data_complete).
import { h } from "./dom.js";
import { flagList } from "./flags.js";
import * as fmt from "./format.js";
import { jumpSummaryView } from "./jumps.js";

// text: "2304\u00a0N" (see format.js); note: a line under the number.
function value(label, text, cls = "", note = null) {
  const [number, unit = ""] = text.split("\u00a0");
  return h("div", { class: `value ${cls}` },
    h("div", { class: "label" }, label),
    h("div", { class: "v" }, number, h("span", { class: "unit" }, unit)),
    note ? h("div", { class: "label" }, note) : null);
}

function side(pct) {
  if (pct === null || pct === undefined) return null;
  return Math.abs(pct) < 0.05 ? "even" : pct > 0 ? "right stronger" : "left stronger";
}

export function summaryView(summary) {
  if (summary.test_type && summary.test_type !== "imtp") return jumpSummaryView(summary);
  return h("div", { class: "stack" },
    h("div", { class: "values" },
      value("Peak force", fmt.newtons(summary.peak_force_n), "total"),
      value("Peak net force", fmt.newtons(summary.peak_net_force_n)),
      value("Relative peak force", fmt.perKg(summary.relative_peak_force_n_per_kg)),
      value("RFD 0–200 ms", fmt.newtonsPerSecond(summary.rfd_0_200_n_per_s)),
      value("Asymmetry at peak", fmt.percent(summary.asymmetry_pct), "", side(summary.asymmetry_pct)),
      value("Body weight", fmt.newtons(summary.body_weight_n))),
    flagList(summary.flags));
}

export { value as valueBox };
