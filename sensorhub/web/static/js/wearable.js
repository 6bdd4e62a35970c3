// The wearable page: live BVP, temperature and acceleration, the prediction and its timeline;
// from signals, 60 s windows (HR, RMSSD, quality, the window model's prediction) and studies.
import { $, h, setText } from "./dom.js";
import * as fmt from "./format.js";
import { getJSON, query } from "./net.js";
import { DeviceReadings } from "./readings.js";
import { connectLive } from "./socket.js";
import { StudyPanel } from "./study.js";
import { axis, sizedChart, uPlot } from "./uplot.js";
import { DeviceWindows, phaseBands, qualityText } from "./windows.js";

const devices = new Map(); // device_id → DeviceReadings
const windows = new Map(); // device_id → DeviceWindows
let device = new URLSearchParams(location.search).get("device");
let dirty = true;

const sync = uPlot.sync("wearable");
// Time ticks as the local clock: 10:24:36, or 10:24:36.5 when ticks are under a second apart.
const clockLabels = (u, splits, axisIdx, space, increment) => splits.map((s) => {
  const text = fmt.timeOfDay(new Date(s * 1000));
  return increment < 1 ? `${text}.${String(Math.round((s % 1) * 10) % 10)}` : text;
});
function timeChart(id, label, stroke, height = 150, extra = {}) {
  return sizedChart($(id), {
    scales: { x: { time: true }, ...(extra.y ? { y: { range: extra.y } } : {}) },
    axes: [axis(null, { values: clockLabels, space: 70 }), axis(label, { size: 60 })],
    series: [{}, { label, stroke, width: 1.5, points: { show: false } }, ...(extra.series ?? [])],
    cursor: { sync: { key: sync.key } },
    legend: { show: false },
    ...(extra.hooks ? { hooks: extra.hooks } : {}),
  }, [[], [], ...(extra.series ?? []).map(() => [])], height);
}
const study = new StudyPanel(() => { dirty = true; });
const shaded = { hooks: { drawClear: [phaseBands(() => study.phases())] } };
const charts = {
  timeline: timeChart("#timeline", "P(stressed) (%)", "#b3261e", 170, {
    series: [{ label: "threshold 50 %", stroke: "#7b8494", dash: [5, 5], width: 1, points: { show: false } }],
    y: [0, 100],
  }),
  bvp: timeChart("#chart-bvp", "BVP (a.u.)", "#6a1b9a"),
  temp: timeChart("#chart-temp", "Temp (°C)", "#b35c00"),
  acc: timeChart("#chart-acc", "|a| (g)", "#0072b2"),
  hr: timeChart("#chart-hr", "HR (bpm)", "#b3261e", 150, shaded),
  rmssd: timeChart("#chart-rmssd", "RMSSD (ms)", "#009e73", 150, shaded),
  sqi: timeChart("#chart-sqi", "SQI", "#4f5663", 110, { y: [0, 1] }),
};
globalThis.sensorhub = { charts };

function readingsOf(id) {
  if (!devices.has(id)) devices.set(id, new DeviceReadings());
  return devices.get(id);
}

function windowsOf(id) {
  if (!windows.has(id)) windows.set(id, new DeviceWindows());
  return windows.get(id);
}

function addWindow(w) {
  windowsOf(w.device_id).add(w);
  readingsOf(w.device_id); // a wearable that only sends signals is listed too
  if (!device) selectDevice(w.device_id);
  fillDeviceChoice();
  if (w.device_id === device) dirty = true;
}

function renderWindows() {
  const w = windowsOf(device);
  charts.hr.setData([w.time, w.hr]);
  charts.rmssd.setData([w.time, w.rmssd]);
  charts.sqi.setData([w.time, w.sqi]);
  const last = w.latest;
  for (const id of ["#chart-hr", "#chart-rmssd", "#chart-sqi"]) $(id).hidden = !last;
  $("#windows-empty").hidden = Boolean(last);
  setText("#w-hr", fmt.number(last?.hr_bpm, 1));
  setText("#w-rmssd", fmt.number(last?.rmssd_ms, 1));
  setText("#w-quality", qualityText(last));
  $("#w-quality").dataset.quality = last?.quality ?? "";
  const rated = last?.prediction != null;
  showPrediction("#w-prediction", rated ? last.prediction : last ? "not rated" : "–", rated && last.demo,
    "#w-probability");
  $("#w-prediction").dataset.prediction = rated ? last.prediction : "";
  setText("#w-probability", rated ? fmt.number(last.stress_probability * 100, 1) : "–");
}

// A demo model's prediction is shown small and neutral, named as the demo's guess.
function showPrediction(id, text, demo, probabilityId) {
  setText(id, demo ? `demo model: ${text}` : text);
  $(id).dataset.demo = String(Boolean(demo));
  $(probabilityId).parentElement.dataset.demo = String(Boolean(demo));
  if (demo) showDemoNote();
}

// The panel of a demo model says so in its title, and why in its note.
function showDemoNote() {
  $("#demo-note").hidden = false;
  setText("#now-title", "Stress model (demo)");
}

function addReading(reading) {
  readingsOf(reading.device_id).add(reading);
  if (!device) selectDevice(reading.device_id);
  fillDeviceChoice();
  if (reading.device_id === device) dirty = true;
}

function render() {
  requestAnimationFrame(render);
  if (!dirty || !device) return;
  dirty = false;
  renderWindows();
  const d = readingsOf(device);
  charts.bvp.setData([d.time, d.bvp]);
  charts.temp.setData([d.time, d.temperature]);
  charts.acc.setData([d.time, d.acceleration]);
  charts.timeline.setData([d.time, d.probability, d.time.map(() => 50)]);
  setText("#count", String(d.count));
  const r = d.latest;
  for (const id of ["#chart-bvp", "#chart-temp", "#chart-acc", "#timeline"]) $(id).hidden = !r;
  $("#signals-empty").hidden = Boolean(r);
  if (!r) return;
  $("#prediction").dataset.prediction = r.prediction;
  showPrediction("#prediction", r.prediction, r.demo, "#probability");
  setText("#probability", fmt.number(r.stress_probability * 100, 1));
  setText("#v-bvp", fmt.number(r.bvp, 3));
  setText("#v-temp", fmt.number(r.temperature, 2));
  setText("#v-acc", fmt.number(r.acceleration_magnitude, 3));
  $("#recent").tBodies[0].replaceChildren(...d.recent.map((x) => h("tr", { dataset: { id: x.id } },
    h("td", {}, fmt.timeOfDay(new Date(x.timestamp))),
    h("td", { class: "n" }, fmt.number(x.bvp, 3)),
    h("td", { class: "n" }, fmt.number(x.temperature, 2)),
    h("td", { class: "n" }, fmt.number(x.acceleration_magnitude, 3)),
    h("td", {}, `${x.demo ? "demo: " : ""}${x.prediction} (${fmt.percent(x.stress_probability * 100)})`))));
  $("#recent-empty").hidden = d.recent.length > 0;
}

function fillDeviceChoice() {
  const select = $("#device");
  if (devices.size && select.querySelector("option[value='']")) select.replaceChildren();
  const known = new Set([...select.options].map((o) => o.value));
  for (const id of devices.keys()) if (!known.has(id)) select.append(h("option", { value: id }, id));
  if (device) select.value = device;
}

function selectDevice(id) {
  device = id;
  readingsOf(id);
  const url = new URL(location.href);
  url.searchParams.set("device", id);
  history.replaceState(null, "", url);
  $("#csv").href = `/api/readings.csv${query({ device_id: id })}`;
  fillDeviceChoice();
  study.load(id).catch(() => {});
  loadMinutes(id).catch(() => {});
  dirty = true;
}

// A thinned period (retention) as the per-minute aggregates that replaced its raw values.
const MINUTES_SHOWN = 300;
async function loadMinutes(id) {
  const { data } = await getJSON(`/api/wearable/signal-minutes${query({ device_id: id, limit: MINUTES_SHOWN })}`);
  $("#minutes-csv").href = `/api/wearable/signal-minutes.csv${query({ device_id: id })}`;
  const cell = (value) => h("td", { class: "n" }, Number(value).toPrecision(4));
  $("#minutes tbody").replaceChildren(...data.map((m) => h("tr", {},
    h("td", {}, fmt.dateTime(m.minute)), h("td", {}, m.channel),
    cell(m.mean), cell(m.min), cell(m.max), h("td", { class: "n" }, String(m.count)))));
  $("#minutes-panel").hidden = !data.length;
}

// Live readings that arrive while the history loads wait here, then join it (ids dedupe).
let pending = null;

async function loadHistory() {
  // On every (re)connect: what was stored, newest first from the API, replayed oldest first.
  pending = [];
  const [{ data }, { data: stored }] = await Promise.all([
    getJSON("/api/readings?limit=1000"), getJSON("/api/wearable/windows?limit=1000")]);
  devices.clear();
  windows.clear();
  for (const reading of data.reverse()) readingsOf(reading.device_id).add(reading);
  for (const w of stored.reverse()) { windowsOf(w.device_id).add(w); readingsOf(w.device_id); }
  for (const item of pending) (item.at ? addWindow : addReading)(item);
  pending = null;
  if (!device && data.length) device = data[data.length - 1].device_id;
  if (!device && stored.length) device = stored[stored.length - 1].device_id;
  if (device) selectDevice(device);
  dirty = true;
}

async function loadModel() {
  const health = await getJSON("/api/health");
  const m = health.model ?? {};
  setText("#model", `Model: ${m.name ?? "?"}${m.demo ? " (demo model trained on synthetic data — not physiological)" : ""}.`);
  if (m.demo || health.window_model?.demo) showDemoNote();
  const w = health.window_model;
  setText("#window-model", w ? `Window model: ${w.name}${w.demo ? " (demo, trained on the simulated wearer — not physiological)" : ""}.` : "No window model.");
}

$("#device").addEventListener("change", (e) => selectDevice(e.currentTarget.value));
function onConnect(s) {
  s.emit("register", { type: "browser" }); // counted as a dashboard in /api/status
  loadHistory().catch(() => {
    const waiting = pending ?? [];
    pending = null;
    waiting.forEach((item) => (item.at ? addWindow : addReading)(item));
  });
}

const socket = connectLive({ onConnect });
socket.on("stream", (reading) => (pending ? pending.push(reading) : addReading(reading)));
socket.on("features", (w) => (pending ? pending.push(w) : addWindow(w)));
socket.on("study", (event) => study.update(event));
loadModel().catch(() => {});
requestAnimationFrame(render);
