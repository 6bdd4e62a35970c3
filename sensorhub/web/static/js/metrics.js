// The full IMTP result (GET /api/tests/{id}/analysis → data.result) as tables with units.
import { h } from "./dom.js";
import { flagList, testFlags } from "./flags.js";
import * as fmt from "./format.js";

const row = (label, value, title = null) => h("tr", {}, h("th", { scope: "row", title }, label), h("td", { class: "n" }, value));

// Two definitions of a side's force, both shown, each saying which: a side's own maximum
// (any moment) and its share at the moment of the total's peak (what asymmetry uses).
const OWN_PEAK = "Each side's own maximum, wherever it falls; it can come a moment before or after the total's peak, so it is at least the side's force at peak";
const AT_PEAK = "Each side's force at the moment the total peaks: the values asymmetry is computed from";

export function metricsView(result) {
  const w = result.weighing;
  const o = result.onset;
  const p = result.peak;
  const main = h("table", { class: "metrics" }, h("tbody", {},
    row("Body weight", `${fmt.newtons(w.body_weight_n)} (SD ${fmt.newtons(w.sd_n)})`),
    row("Mass", fmt.kilograms(w.mass_kg)),
    row("Weighing window", `${fmt.seconds(w.start_s)} – ${fmt.seconds(w.end_s)}${w.automatic ? " (automatic)" : ""}`),
    row("Onset", o ? `${fmt.seconds(o.time_s)} at ${fmt.newtons(o.force_n)} (${o.method})` : "–"),
    row("Peak force", fmt.newtons(p?.force_n)),
    row("Peak net force", fmt.newtons(p?.net_force_n)),
    row("Relative peak force", fmt.perKg(p?.relative_force_n_per_kg)),
    row("Time to peak", fmt.seconds(p?.time_to_peak_s)),
    row("Net impulse to peak", fmt.newtonSeconds(p?.impulse_n_s)),
    row("Left / right, own peaks", `${fmt.newtons(p?.left_n)} / ${fmt.newtons(p?.right_n)}`, OWN_PEAK),
    row("Sample rate", fmt.hertz(result.sample_rate_hz)),
    row("Duration", fmt.seconds(result.duration_s, 2)),
    row("Samples", String(result.sample_count))));
  const windows = h("table", { class: "windows" },
    h("thead", {}, h("tr", {},
      h("th", {}, "From onset"), h("th", { class: "n" }, "Net force (N)"),
      h("th", { class: "n" }, "RFD (N/s)"), h("th", { class: "n" }, "Net impulse (N·s)"))),
    h("tbody", {}, result.windows.map((win) => h("tr", { dataset: { window: win.window_ms } },
      h("th", { scope: "row" }, `0–${win.window_ms} ms`),
      h("td", { class: "n" }, fmt.number(win.net_force_n)),
      h("td", { class: "n" }, fmt.number(win.rfd_n_per_s)),
      h("td", { class: "n" }, fmt.number(win.impulse_n_s, 1))))));
  return h("div", { class: "stack" }, main, h("div", { class: "scroll" }, windows));
}

export function asymmetryView(result) {
  const p = result.peak;
  if (!p || p.left_at_peak_n === null) return h("p", { class: "muted" }, "No peak, no asymmetry.");
  const l = Math.max(0, p.left_at_peak_n);
  const r = Math.max(0, p.right_at_peak_n);
  const share = l + r > 0 ? (l / (l + r)) * 100 : 50;
  const left = h("span", { class: "l" }, `L ${fmt.newtons(p.left_at_peak_n)}`);
  const right = h("span", { class: "r" }, `R ${fmt.newtons(p.right_at_peak_n)}`);
  left.style.flexBasis = `${share}%`; // CSSOM, allowed by the page's CSP
  right.style.flexBasis = `${100 - share}%`;
  return h("div", {},
    h("p", { class: "muted", title: AT_PEAK }, "Left and right at the total's peak (own peaks: see the table):"),
    h("div", { class: "meter", title: AT_PEAK, role: "img", "aria-label": `Left ${share.toFixed(0)} %, right ${(100 - share).toFixed(0)} % of total at peak` }, left, right),
    h("p", { class: "asym" }, "Asymmetry |L − R| / max(L, R): ", h("strong", {}, fmt.asymmetry(p.asymmetry_pct))));
}

// The analysis' flags, after an "Implausible result" chip when the API found the numbers
// implausible (`implausible`: its reasons, docs/analysis.md#implausible-results).
export function flagsView(result, implausible = []) {
  const flags = testFlags({ summary: result, implausible });
  return h("div", {}, h("h3", {}, "Flags"), flagList(flags),
    flags.length ? h("ul", { class: "legend-note" }, flags.map((f) => h("li", {}, f.reason))) : null);
}
