// IMTP quality flags (sensorhub/loadcell/imtp.py FlagCode) as short labels and a list.
import { h } from "./dom.js";

export const FLAG_LABELS = {
  countermovement: "Countermovement",
  unsteady_weighing: "Unsteady weighing",
  low_sample_rate: "Sample rate < 1000 Hz",
  gaps: "Gaps in time",
  non_monotonic_time: "Time out of order",
  no_pull: "No pull found",
  no_body_weight: "No body weight (load cell in series)",
  pretension_in_weighing: "Pre-tension in weighing",
  body_weight_mismatch: "Body weight ≠ stored mass",
  inverted: "Inverted signal (flipped)",
  // Not an analysis flag: the API's `implausible` reasons (docs/analysis.md#implausible-results).
  implausible: "Implausible result",
};

// A change between sessions (sensorhub/loadcell/trends.py Change) as words, not the enum.
export const CHANGE_LABELS = {
  improved: "Improved",
  declined: "Declined",
  increased: "Increased",
  decreased: "Decreased",
  trivial: "Real but trivial (within the SWC)",
  within_noise: "No clear change (within noise)",
  unknown: "Unknown (no typical error)",
};

// A test's flags plus, for one with implausible numbers, an "Implausible result" flag whose
// tooltip gives the reasons.
export function testFlags(test) {
  const flags = test.summary?.flags ?? [];
  if (!test.implausible?.length) return flags;
  return [{ code: "implausible", reason: test.implausible.join("; ") }, ...flags];
}

// flags: codes (["gaps"]) or objects ({code, reason}); the reason becomes the tooltip.
export function flagList(flags) {
  if (!flags || flags.length === 0) return h("ul", { class: "flags" }, h("li", { class: "flag none" }, "No flags"));
  return h("ul", { class: "flags" }, flags.map((flag) => {
    const code = typeof flag === "string" ? flag : flag.code;
    const reason = typeof flag === "string" ? null : flag.reason;
    return h("li", { class: "flag", title: reason, dataset: { code } }, FLAG_LABELS[code] ?? code);
  }));
}
