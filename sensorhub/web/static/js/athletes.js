// The athletes page: find an athlete, see their setup, each metric over time against the
// noise band, latest vs previous, asymmetry history, the PDF report, and import a recording.
import { $, h, setText } from "./dom.js";
import { ApiError, getJSON, query } from "./net.js";
import { authHeaders, storedToken } from "./auth.js";
import { setupText } from "./setup.js";
import { axis, sizedChart } from "./uplot.js";

const METRICS = [
  ["peak_force_n", "Peak force"],
  ["relative_peak_force_n_per_kg", "Relative peak force"],
  ["rfd_0_200_n_per_s", "RFD 0–200 ms"],
  ["asymmetry_pct", "Asymmetry (+ = right)"],
];

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

const fmt = (v, unit) => (v == null ? "–" : `${Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2)} ${unit}`);

async function show(id) {
  const athlete = (await getJSON(`/api/athletes/${id}`)).data;
  $("#athlete").hidden = false;
  setText("#athlete-name", athlete.name);
  setText("#athlete-meta", [athlete.sport, athlete.groups.join(", "), athlete.body_mass_kg && `${athlete.body_mass_kg} kg`].filter(Boolean).join(" · "));
  setText("#athlete-setup", setupText(athlete.setup));
  $("#report-link").href = `/api/athletes/${id}/report.pdf`;
  const rows = [];
  const charts = [];
  for (const [metric, label] of METRICS) {
    const trend = (await getJSON(`/api/athletes/${id}/trend` + query({ metric }))).data;
    const s = trend.sessions;
    const latest = s.at(-1);
    const previous = s.at(-2);
    rows.push(h("tr", {}, h("td", {}, label), h("td", { class: "n" }, fmt(latest?.best, trend.unit)), h("td", { class: "n" }, fmt(previous?.best, trend.unit)),
      h("td", {}, latest?.change ?? "–"), h("td", { class: "n" }, fmt(trend.typical_error, trend.unit)), h("td", { class: "n" }, fmt(trend.swc, trend.unit))));
    charts.push(chart(label, trend));
  }
  $("#latest tbody").replaceChildren(...rows);
  $("#charts").replaceChildren(...charts);
}

function chart(label, trend) {
  const box = h("div", { class: "chart", role: "img", "aria-label": `${label} per session with the noise band` });
  const wrap = h("div", {}, h("h3", {}, `${label} (${trend.unit})`), box);
  const s = trend.sessions;
  if (!s.length) {
    box.replaceWith(h("p", {}, "No sessions with this method yet."));
    return wrap;
  }
  const x = s.map((session) => Date.parse(session.date) / 1000);
  const y = s.map((session) => session.best);
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const band = trend.threshold ?? 0;
  const data = [x, y, y.map(() => mean - band), y.map(() => mean + band)];
  const series = [{}, { label, stroke: "#16181d", width: 2, points: { show: true, size: 6 } },
    { label: "noise −", stroke: "#9db4d8", dash: [4, 4] }, { label: "noise +", stroke: "#9db4d8", dash: [4, 4] }];
  requestAnimationFrame(() => sizedChart(box, { series, axes: [axis("Date"), axis(trend.unit, { size: 60 })], scales: { x: { time: true } } }, data, 180));
  return wrap;
}

async function importFile(id, form) {
  const file = form.elements.file.files[0];
  if (!file) return;
  const params = { filename: file.name };
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
  await list({});
  if (id) await show(id);
}

main().catch((error) => notice(error.message));
