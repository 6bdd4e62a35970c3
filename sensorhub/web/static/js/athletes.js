// The athletes page: find, create, edit and delete athletes; see one's setup, each metric over
// time, the latest change with its 90 % interval and where the typical error came from, their
// tests (exclude a trial or count it again), the reliability studies recorded for them
// (record, delete) or a period to try, the PDF report, and import a recording.
import { $, h, setText } from "./dom.js";
import { athleteEditor } from "./athleteform.js";
import { ApiError, deleteJSON, getJSON, postJSON, query } from "./net.js";
import { authHeaders, storedToken } from "./auth.js";
import { CHANGE_LABELS, FLAG_LABELS } from "./flags.js";
import { setupText } from "./setup.js";
import { showTrials } from "./trials.js";
import { axis, dayAxis, sizedChart } from "./uplot.js";

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

// The athlete shown (null: none) and the list's last filter.
const page = { athlete: null, filter: {} };

async function list(params = page.filter) {
  page.filter = params;
  const athletes = (await getJSON("/api/athletes" + query(params))).data;
  const tests = (n) => `${n} test${n === 1 ? "" : "s"}`;
  $("#athlete-list").replaceChildren(
    ...athletes.map((a) => h("li", {}, h("a", { href: `/athletes?id=${a.id}` }, a.name), ` · ${a.groups.join(", ") || "no group"} · ${tests(a.test_count)}`)),
  );
  if (!athletes.length) {
    const filtered = Object.values(params).some(Boolean);
    $("#athlete-list").replaceChildren(h("li", {}, filtered ? "No athlete found." : "No athletes yet: press New athlete to add one."));
  }
}

// The groups (with their sizes) to filter by and to suggest in the editor.
async function loadGroups() {
  const groups = (await getJSON("/api/groups")).data;
  const select = $("#search").elements.group;
  const chosen = select.value;
  select.replaceChildren(h("option", { value: "" }, "All groups"),
    ...groups.map((g) => h("option", { value: g.name }, `${g.name} (${g.athletes})`)));
  select.value = groups.some((g) => g.name === chosen) ? chosen : "";
  $("#group-options").replaceChildren(...groups.map((g) => h("option", { value: g.name })));
  setText("#groups-hint", groups.length ? `Existing: ${groups.map((g) => g.name).join(", ")}` : "No groups yet: type one to start it.");
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
  const label = CHANGE_LABELS[session.change] ?? session.change;
  if (!session.interval) return label;
  const [low, high] = session.interval;
  return `${label}: ${signed(session.difference, unit)} (90 % CI ${signed(low, unit)} to ${signed(high, unit)})`;
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

function metaText(athlete) {
  const born = athlete.birth_year && `born ${athlete.birth_year}`;
  const groups = athlete.groups.length ? `groups: ${athlete.groups.join(", ")}` : "no group";
  return [athlete.sport, groups, athlete.body_mass_kg && `${athlete.body_mass_kg} kg`, athlete.sex, born].filter(Boolean).join(" · ");
}

async function show(id) {
  const athlete = (await getJSON(`/api/athletes/${id}`)).data;
  page.athlete = athlete;
  const study = studyParams();
  $("#athlete").hidden = false;
  setText("#athlete-name", athlete.name);
  setText("#athlete-meta", metaText(athlete));
  setText("#athlete-setup", setupText(athlete.setup));
  setText("#athlete-notes", athlete.notes ? `Notes: ${athlete.notes}` : "");
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
  await showTrials(id, () => show(id).catch((e) => notice(e.message)));
  await showStudies(id, first);
}

// Deleting an athlete deletes their tests too (the API refuses otherwise): the dialog says so,
// with their count read again now (a test may have been saved since the page was drawn).
async function askDelete() {
  const athlete = (await getJSON(`/api/athletes/${page.athlete.id}`)).data;
  page.athlete = athlete;
  const n = athlete.test_count;
  setText("#confirm-title", `Delete ${athlete.name}?`);
  setText("#confirm-text", n
    ? `Their ${n} test${n === 1 ? "" : "s"} (samples, analyses and CSV files) and their own reliability studies are deleted with them; they leave their groups' squad views and studies. This cannot be undone.`
    : "They have no tests. Their own reliability studies are deleted with them. This cannot be undone.");
  const dialog = $("#confirm-delete");
  dialog.returnValue = ""; // Escape keeps the previous value: never let it be "delete"
  dialog.showModal();
}

async function deleteAthlete() {
  const athlete = page.athlete;
  const params = athlete.test_count ? { with_tests: true } : {};
  const result = await deleteJSON(`/api/athletes/${athlete.id}` + query(params));
  page.athlete = null;
  $("#athlete").hidden = true;
  history.replaceState(null, "", "/athletes");
  const n = result.deleted_tests;
  notice(`${athlete.name} was deleted${n ? `, with ${n} test${n === 1 ? "" : "s"}` : ""}.`);
  await Promise.all([list(), loadGroups()]);
}

async function saved(athlete, created) {
  history.replaceState(null, "", `/athletes?id=${athlete.id}`);
  notice(created ? `${athlete.name} was added.` : `${athlete.name} was saved.`);
  await Promise.all([list(), loadGroups(), show(athlete.id)]);
}

function chart(label, trend) {
  const box = h("div", { class: "chart", role: "img", "aria-label": `${label} per session` });
  const wrap = h("div", {}, h("h3", {}, `${label} (${trend.unit}, better: ${trend.better.replace(/_/g, " ")})`), box);
  const s = trend.sessions;
  if (!s.length) {
    const left = trend.left_out.length ? ` ${trend.left_out.length} test(s) left out: ${[...new Set(trend.left_out.map((l) => l.reason))].join("; ")}.` : "";
    box.replaceWith(h("p", { class: "muted" }, `No session counts yet: run a test with this athlete on the Live page, or import a recording below.${left}`));
    return wrap;
  }
  const x = s.map((session) => Date.parse(session.date) / 1000);
  const data = [x, s.map((session) => session.best)];
  const { xSeries, xAxis, xScale } = dayAxis(x);
  const series = [xSeries, { label: `Best (${trend.unit})`, stroke: "#16181d", width: 2, points: { show: true, size: 6 }, value: (u, v) => fmt(v, trend.unit) }];
  requestAnimationFrame(() => sizedChart(box, { series, axes: [xAxis, axis(trend.unit, { size: 60 })], scales: { x: xScale } }, data, 180));
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
  setText("#import-status", `Imported test ${body.data.id} (${body.data.source}): ${importResult(body.data)}.`);
  await Promise.all([show(id), list()]); // the athlete's test count changed
}

// What an import gave: its flags in words, or that it could not be analysed (and why).
function importResult(test) {
  if (!test.summary) return `not analysed${test.analysis_error ? ` (${test.analysis_error})` : ""}`;
  const flags = [...(test.implausible ?? []).map((r) => `implausible: ${r}`), ...test.summary.flags.map((c) => FLAG_LABELS[c] ?? c)];
  return flags.length ? `analysed, flags: ${flags.join("; ")}` : "analysed, no flags";
}

const currentId = () => page.athlete?.id;

async function main() {
  const id = new URLSearchParams(location.search).get("id");
  const form = $("#search");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    list({ search: form.elements.search.value.trim(), group: form.elements.group.value }).catch((e) => notice(e.message));
  });
  const editor = athleteEditor((athlete, created) => saved(athlete, created).catch((e) => notice(e.message)));
  $("#new-athlete").addEventListener("click", () => editor.open(null));
  $("#edit-athlete").addEventListener("click", () => editor.open(page.athlete));
  $("#delete-athlete").addEventListener("click", () => askDelete().catch((e) => notice(e.message)));
  $("#confirm-delete").addEventListener("close", () => {
    if ($("#confirm-delete").returnValue === "delete") deleteAthlete().catch((e) => notice(e.message));
  });
  $("#import").addEventListener("submit", (event) => {
    event.preventDefault();
    importFile(currentId(), event.target).catch((e) => setText("#import-status", e.message));
  });
  $("#record-study").addEventListener("submit", (event) => {
    event.preventDefault();
    recordStudy(currentId(), event.target).catch((e) => setText("#study-status", e.message));
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
    show(currentId()).catch((e) => notice(e.message));
  });
  $("#test-kind").addEventListener("change", () => show(currentId()).catch((e) => notice(e.message)));
  await Promise.all([list({}), loadGroups()]);
  if (id) await show(id);
}

main().catch((error) => notice(error.message));
