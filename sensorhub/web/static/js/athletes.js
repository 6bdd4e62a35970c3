// The athletes page: find an athlete, see their setup, each metric over time, the latest
// change with its 90 % interval and where the typical error came from, the reliability
// studies recorded for them (record, delete) or a period to try, the PDF report, and import a
// recording.
import { $, h, setText } from "./dom.js";
import { ApiError, deleteJSON, getJSON, postJSON, query } from "./net.js";
import { authHeaders, storedToken } from "./auth.js";
import { setupText } from "./setup.js";
import { axis, sizedChart } from "./uplot.js";

// The metrics shown per test type; a jump type's are its headline numbers (docs/jumps.md),
// each test's value its best rep's. IMTP trends use the default onset method (sd:5).
const HEIGHTS = [
  ["jump_height_impulse_m", "Jump height (impulse-momentum)"],
  ["jump_height_flight_m", "Jump height (flight time)"],
];
const METRICS = {
  imtp: [
    ["peak_force_n", "Peak force"],
    ["relative_peak_force_n_per_kg", "Relative peak force"],
    ["rfd_0_200_n_per_s", "RFD 0–200 ms"],
    ["asymmetry_pct", "Asymmetry |L − R| / max (+ = right)"],
  ],
  cmj: [...HEIGHTS, ["rsi_modified_m_s", "RSI modified"], ["time_to_take_off_s", "Time to take-off"]],
  squat_jump: [...HEIGHTS, ["take_off_velocity_m_s", "Take-off velocity"]],
  drop_jump: [["rsi_m_s", "RSI"], ["contact_time_s", "Contact time"], ["jump_height_flight_m", "Jump height (flight time)"]],
  rebound: [["mean_rsi_best_hops_m_s", "RSI, mean of best hops"], ["mean_contact_time_best_hops_s", "Contact time, mean of best hops"]],
  drop_landing: [["peak_landing_force_n", "Peak landing force"], ["time_to_stabilisation_s", "Time to stabilisation"]],
};
const methodOf = (kind) => (kind === "imtp" ? {} : { method: kind });

function notice(text) {
  const el = $("#notice");
  el.hidden = !text;
  el.textContent = text ?? "";
}

async function list(params) {
  const athletes = (await getJSON("/api/athletes" + query(params))).data;
  $("#athlete-list").replaceChildren(
    ...athletes.map((a) => h("li", {}, h("a", { href: `/athletes?id=${a.id}` }, a.name), ` · ${a.groups.join(", ") || "no group"} · ${a.test_count} tests`)),
  );
  if (!athletes.length) $("#athlete-list").replaceChildren(h("li", {}, "No athlete found."));
}

// Jump heights and times to the millimetre and millisecond (docs/jumps.md); other units as before.
const digits = (v, unit) => (unit === "m" || unit === "s" ? 3 : Math.abs(v) >= 100 ? 0 : 2);
const fmt = (v, unit) => (v == null ? "–" : `${v.toFixed(digits(v, unit))} ${unit}`);

const STUDY = ["study_from", "study_to", "study_group"];

// The reliability study the page judges with: kept in the address, so a link keeps it.
function studyParams() {
  const url = new URLSearchParams(location.search);
  return Object.fromEntries(STUDY.filter((k) => url.get(k)).map((k) => [k, url.get(k)]));
}

const signed = (v, unit) => `${v >= 0 ? "+" : "−"}${fmt(Math.abs(v), unit)}`;

function changeText(session, unit) {
  if (!session?.change) return "–";
  if (!session.interval) return session.change.replace(/_/g, " ");
  const [low, high] = session.interval;
  return `${session.change.replace(/_/g, " ")}: ${signed(session.difference, unit)} (${signed(low, unit)} to ${signed(high, unit)})`;
}

function chanceText(session) {
  if (session?.p_above_swc == null) return "–";
  const pct = (p) => `${Math.round(p * 100)} %`;
  return `above +SWC ${pct(session.p_above_swc)}, below −SWC ${pct(session.p_below_swc)}`;
}

function noiseText(trend) {
  const te = trend.typical_error;
  let size = "unknown";
  if (te.value != null) size = `${fmt(te.value, trend.unit)} (90 % CI ${fmt(te.interval[0], trend.unit)}–${fmt(te.interval[1], trend.unit)})`;
  else if (te.cv_pct != null) size = `CV ${te.cv_pct} %`;
  const source = te.source === "unknown" ? "" : ` · ${te.source.replace(/_/g, " ")}`;
  return h("span", { title: te.description }, size + source);
}

// A study's typical error and SWC of the first metric of the chosen test type (`first`: that
// metric's trend, for its name and unit); the study's TEs are of that type's tests.
function studyItem(study, id, judging, first) {
  const [metric, label] = METRICS[$("#test-kind").value][0];
  const unit = first.unit;
  const te = study.typical_errors[metric];
  const size = te.value == null ? te.source.replace(/_/g, " ") : `${fmt(te.value, unit)} (90 % CI ${fmt(te.interval[0], unit)}–${fmt(te.interval[1], unit)}, df ${te.df})`;
  const whose = study.group ? `group ${study.group}` : "this athlete";
  const swc = study.swc[metric] == null ? "" : ` · SWC ${fmt(study.swc[metric], unit)}`;
  const remove = h("button", { type: "button" }, "Delete");
  remove.addEventListener("click", () => {
    deleteJSON(`/api/reliability-studies/${study.id}`).then(() => show(id)).catch((e) => setText("#study-status", e.message));
  });
  const mark = judging ? " · judges this athlete" : "";
  return h("li", { "data-study": study.id }, `${study.name}: ${whose}, ${study.first_day} to ${study.last_day} · ${label.toLowerCase()} TE ${size}${swc}${mark} `, remove);
}

async function showStudies(id, first) {
  const kind = $("#test-kind").value;
  const [, label] = METRICS[kind][0];
  setText("#swc-label", `SWC of ${label.toLowerCase()} (${first.unit}) `);
  const studies = (await getJSON("/api/reliability-studies" + query({ athlete_id: id, ...methodOf(kind) }))).data;
  $("#studies").replaceChildren(...studies.map((s) => studyItem(s, id, s.id === first.reliability_study_id, first)));
  if (!studies.length) $("#studies").replaceChildren(h("li", {}, "None recorded: changes are judged with each metric's published default, if any."));
}

async function recordStudy(id, form) {
  const f = form.elements;
  const body = { name: f.name.value.trim(), first_day: f.first_day.value, last_day: f.last_day.value };
  if (f.group.value.trim()) body.group = f.group.value.trim();
  else body.athlete_id = Number(id);
  const [metric] = METRICS[$("#test-kind").value][0];
  if (f.swc.value) body.swc = { [metric]: Number(f.swc.value) };
  const study = (await postJSON("/api/reliability-studies", body)).data;
  setText("#study-status", `Recorded study ${study.id} (${study.name}).`);
  form.reset();
  await show(id);
}

async function show(id) {
  const athlete = (await getJSON(`/api/athletes/${id}`)).data;
  const study = studyParams();
  $("#athlete").hidden = false;
  setText("#athlete-name", athlete.name);
  setText("#athlete-meta", [athlete.sport, athlete.groups.join(", "), athlete.body_mass_kg && `${athlete.body_mass_kg} kg`].filter(Boolean).join(" · "));
  setText("#athlete-setup", setupText(athlete.setup));
  $("#report-link").href = `/api/athletes/${id}/report.pdf` + query({ ...study, ...methodOf($("#test-kind").value) });
  for (const key of STUDY) $("#study").elements[key].value = study[key] ?? "";
  const rows = [];
  const charts = [];
  let note = "";
  let first = null;
  const kind = $("#test-kind").value;
  for (const [metric, label] of METRICS[kind]) {
    const trend = (await getJSON(`/api/athletes/${id}/trend` + query({ metric, ...methodOf(kind), ...study }))).data;
    const s = trend.sessions;
    const latest = s.at(-1);
    const previous = s.at(-2);
    note = trend.flags_note;
    first ??= trend;
    rows.push(h("tr", {}, h("td", {}, label), h("td", { class: "n" }, fmt(latest?.best, trend.unit)), h("td", { class: "n" }, fmt(previous?.best, trend.unit)),
      h("td", {}, changeText(latest, trend.unit)), h("td", {}, chanceText(latest)), h("td", {}, noiseText(trend)),
      h("td", { class: "n", title: trend.swc.source }, fmt(trend.swc.value, trend.unit))));
    charts.push(chart(label, trend));
  }
  $("#latest tbody").replaceChildren(...rows);
  setText("#flags-note", note);
  $("#charts").replaceChildren(...charts);
  await showStudies(id, first);
}

function chart(label, trend) {
  const box = h("div", { class: "chart", role: "img", "aria-label": `${label} per session` });
  const wrap = h("div", {}, h("h3", {}, `${label} (${trend.unit}, better: ${trend.better.replace(/_/g, " ")})`), box);
  const s = trend.sessions;
  if (!s.length) {
    box.replaceWith(h("p", {}, "No sessions with this method yet."));
    return wrap;
  }
  const x = s.map((session) => Date.parse(session.date) / 1000);
  const data = [x, s.map((session) => session.best)];
  const series = [{}, { label, stroke: "#16181d", width: 2, points: { show: true, size: 6 } }];
  requestAnimationFrame(() => sizedChart(box, { series, axes: [axis("Date"), axis(trend.unit, { size: 60 })], scales: { x: { time: true } } }, data, 180));
  return wrap;
}

async function importFile(id, form) {
  const file = form.elements.file.files[0];
  if (!file) return;
  const params = { filename: file.name, test_type: form.elements.test_type.value };
  if (form.elements.recorded_at.value) params.recorded_at = `${form.elements.recorded_at.value}T12:00:00Z`;
  setText("#import-status", "Importing…");
  const response = await fetch(`/api/athletes/${id}/imports` + query(params), {
    method: "POST", body: await file.text(), headers: { "Content-Type": "text/csv", ...authHeaders(storedToken()) },
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body?.message ?? `HTTP ${response.status}`, body?.code);
  const flags = body.data.summary?.flags?.join(", ") || "none";
  setText("#import-status", `Imported test ${body.data.id} (${body.data.source}), flags: ${flags}.`);
  await show(id);
}

async function main() {
  const id = new URLSearchParams(location.search).get("id");
  const form = $("#search");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    list({ search: form.elements.search.value.trim(), group: form.elements.group.value.trim() }).catch((e) => notice(e.message));
  });
  $("#import").addEventListener("submit", (event) => {
    event.preventDefault();
    importFile(id, event.target).catch((e) => setText("#import-status", e.message));
  });
  $("#record-study").addEventListener("submit", (event) => {
    event.preventDefault();
    recordStudy(id, event.target).catch((e) => setText("#study-status", e.message));
  });
  $("#study").addEventListener("submit", (event) => {
    event.preventDefault();
    const url = new URL(location.href);
    for (const key of STUDY) {
      const value = event.target.elements[key].value.trim();
      if (value) url.searchParams.set(key, value);
      else url.searchParams.delete(key);
    }
    history.replaceState(null, "", url);
    show(id).catch((e) => notice(e.message));
  });
  $("#test-kind").addEventListener("change", () => show(id).catch((e) => notice(e.message)));
  await list({});
  if (id) await show(id);
}

main().catch((error) => notice(error.message));
