// A stored jump test on the tests page: every rep's events, metrics, sides and checks, and the
// form that moves an event (POST /api/tests/{id}/events; docs/jumps.md).
import { h } from "./dom.js";
import { flagList } from "./flags.js";
import * as fmt from "./format.js";

// EDITABLE_BY_TYPE of the analysis (docs/jumps.md): a rebound's events are per hop.
const EDITABLE = {
  cmj: ["weigh_start", "onset", "take_off", "landing"],
  squat_jump: ["weigh_start", "onset", "take_off", "landing"],
  drop_jump: ["contact", "take_off", "landing"],
  drop_landing: ["contact"],
  rebound: ["contact", "take_off"],
};

function formatted(name, value) {
  if (value === null || value === undefined) return "–";
  const unit = name.split("_").slice(-1)[0];
  const digits = { m: 3, s: 3, n: 1, w: 0, kg: 1, count: 0 }[unit] ?? 3;
  const suffix = { m: "m", s: "s", n: "N", w: "W", kg: "kg" }[unit] ?? "";
  if (name.endsWith("_m_s")) return `${fmt.number(value, 2)} m/s`;
  if (name.endsWith("_n_s")) return `${fmt.number(value, 1)} N·s`;
  if (name.endsWith("_n_per_s")) return `${fmt.number(value, 0)} N/s`;
  return `${fmt.number(value, digits)} ${suffix}`.trim();
}

const label = (name) => name.replaceAll("_", " ");

function repView(rep) {
  const events = Object.entries(rep.events)
    .map(([name, time]) => `${label(name)} ${fmt.seconds(time)}`).join(" · ");
  const rows = Object.entries(rep.metrics).map(([name, value]) =>
    h("tr", { dataset: { metric: name } }, h("th", { scope: "row" }, label(name)),
      h("td", { class: "n" }, formatted(name, value))));
  const sides = Object.entries(rep.asymmetry ?? {}).map(([name, a]) =>
    h("tr", { dataset: { side: name } }, h("th", { scope: "row" }, label(name)),
      h("td", { class: "n" }, formatted(name, rep.sides.left[name])),
      h("td", { class: "n" }, formatted(name, rep.sides.right[name])),
      h("td", { class: "n" }, `${fmt.number(a.percent, 1)} %${a.stronger ? ` (${a.stronger})` : ""}`)));
  const hops = (rep.hops ?? []).map((hop, i) => {
    const a = hop.asymmetry?.contact_peak_force_n;
    return h("tr", { dataset: { hop: String(i) } }, h("th", { scope: "row" }, `Hop ${i + 1}`),
      ...["contact_time_s", "flight_time_s", "rsi_m_s", "peak_force_n"].map((name) =>
        h("td", { class: "n" }, formatted(name, hop[name]))),
      h("td", { class: "n" }, formatted("peak_force_n", hop.sides?.left?.contact_peak_force_n)),
      h("td", { class: "n" }, formatted("peak_force_n", hop.sides?.right?.contact_peak_force_n)),
      h("td", { class: "n" }, a ? `${fmt.number(a.percent, 1)} %${a.stronger ? ` (${a.stronger})` : ""}` : "–"));
  });
  return h("section", { class: "stack rep", dataset: { rep: String(rep.index) } },
    h("h3", {}, `Rep ${rep.index + 1}`),
    h("p", { class: "muted events" }, events),
    h("table", { class: "metrics" }, h("tbody", {}, ...rows)),
    sides.length ? h("table", { class: "metrics sides" },
      h("thead", {}, h("tr", {}, h("th", {}, "Left vs right"), h("th", { class: "n" }, "Left"),
        h("th", { class: "n" }, "Right"), h("th", { class: "n" }, "Asymmetry"))),
      h("tbody", {}, ...sides)) : null,
    hops.length ? h("table", { class: "metrics hops" },
      h("thead", {}, h("tr", {}, ...["Hop", "Contact", "Flight", "RSI", "Peak force",
        "Left peak", "Right peak", "Asymmetry"].map((t, i) => h("th", i ? { class: "n" } : {}, t)))),
      h("tbody", {}, ...hops)) : null,
    flagList(rep.checks.map((c) => c.code)));
}

export function jumpResultView(result) {
  const header = h("p", { class: "muted" },
    `${result.params.test_type}: ${result.reps.length} rep(s) · ${fmt.hertz(result.sample_rate_hz)} · ` +
    `contact threshold ${fmt.newtons(result.contact_threshold_n)}`);
  return h("div", { class: "stack" }, header, flagList(result.checks.map((c) => c.code)),
    ...result.reps.map(repView));
}

// The events a person may move: each rep's, and a rebound's per hop (value rep:event[:hop]).
function eventChoices(analysis) {
  const editable = EDITABLE[analysis.params.test_type] ?? [];
  return (analysis.result?.reps ?? []).flatMap((rep) => {
    if (analysis.params.test_type === "rebound") {
      return rep.hops.flatMap((hop, i) => editable.map((e) =>
        h("option", { value: `${rep.index}:${e}:${i}` },
          `Hop ${i + 1} · ${label(e)}`)));
    }
    return editable.filter((e) => rep.events[e] !== undefined)
      .map((e) => h("option", { value: `${rep.index}:${e}` },
        `Rep ${rep.index + 1} · ${label(e)}`));
  });
}

// A form to move one event of one rep; `submit(edits)` gets every edit so far plus this one.
export function jumpEditor(analysis, submit) {
  const form = h("form", { id: "jump-editor", class: "stack" },
    h("p", { class: "muted" }, "Click the curve to pick a time, choose the event, then move it."),
    h("label", {}, "Event ", h("select", { name: "event" }, ...eventChoices(analysis))),
    h("label", {}, "To (s) ", h("input", { name: "time_s", type: "number", step: "0.001", min: "0" })),
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Move event")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const [rep, event, hop] = form.elements.event.value.split(":");
    const time = Number(form.elements.time_s.value);
    if (form.elements.time_s.value === "" || !Number.isFinite(time)) return;
    const edit = { rep: Number(rep), event, time_s: time };
    if (hop !== undefined) edit.hop = Number(hop);
    submit([...(analysis.params.edits ?? []), edit]);
  });
  return form;
}
