// The live force-plate page: devices, start/stop/tare, live chart, values, result, log.
import { athletePicker } from "./athletepicker.js";
import { SampleBuffer } from "./buffer.js";
import { toNewtons } from "./calibration.js";
import { renderDevices } from "./devices.js";
import { $, h, setText } from "./dom.js";
import { eventLog } from "./eventlog.js";
import * as fmt from "./format.js";
import { LiveForceChart } from "./livechart.js";
import { getJSON, postJSON, query } from "./net.js";
import { repView } from "./jumps.js";
import { summaryView } from "./result.js";
import { pullStats } from "./pullstats.js";
import { connectLive } from "./socket.js";

const STATUS_POLL_MS = 2000;
const DISPLAY_CAPACITY = 120_000; // two minutes at 1000 Hz on screen; storage keeps everything
// Tests that start from a box: the drop height is asked for (docs/jumps.md).
const DROPS = ["drop_jump", "drop_landing"];

const chosenDevice = new URLSearchParams(location.search).get("device");

const page = {
  device: chosenDevice || "default",
  // Until someone picks a plate, follow the one that is actually streaming.
  autoDevice: !chosenDevice,
  calibration: null,
  plateState: "idle",
  test: null, // {id, startedAt, stoppedAt} (client clock, ms) while running or flushing
  latest: null, // newest [left, right] in N
  showingResult: false,
  lastTestId: null, // the test the chart shows
  finishedId: null, // the last test that completed (its late frames start nothing)
};

let socket = null; // connected at the end of this module
const buffer = new SampleBuffer(DISPLAY_CAPACITY);
const chart = new LiveForceChart($("#force-chart"), buffer);
const log = eventLog($("#log"));
globalThis.sensorhub = { chart, buffer }; // read by the browser tests' performance check

// --- rendering ------------------------------------------------------------------------------

let valuesQueued = false;
function queueValues() {
  if (valuesQueued) return;
  valuesQueued = true;
  requestAnimationFrame(() => {
    valuesQueued = false;
    renderValues();
  });
}

function renderValues() {
  if (page.latest) {
    const [l, r] = page.latest;
    setText("#v-left", fmt.number(l));
    setText("#v-right", fmt.number(r));
    setText("#v-total", fmt.number(l + r));
    setText("#v-asym", l + r > 0 ? fmt.number(((r - l) / (r + l)) * 100, 1) : "–");
  }
  if (page.test) {
    setText("#test-samples", String(buffer.received));
    const { peak, best1s } = pullStats(buffer);
    setText("#v-peak", peak === null ? "–" : fmt.number(peak));
    setText("#v-best1s", best1s === null ? "–" : fmt.number(best1s));
  }
}

// The target line: a share of the chosen athlete's best peak force so far.
let bestPeak = null;
function renderTarget() {
  const pct = Number($("#target-pct").value);
  const target = bestPeak !== null && pct > 0 ? (bestPeak * pct) / 100 : null;
  setText("#target-n", target === null ? "no best peak yet" : `= ${fmt.number(target)} N (best ${fmt.number(bestPeak)} N)`);
  chart.setTarget($("#target-on").checked ? target : null);
}
const picker = athletePicker((athlete, best) => {
  bestPeak = best;
  renderTarget();
});
$("#target-on").addEventListener("change", renderTarget);
$("#target-pct").addEventListener("input", renderTarget);

function renderElapsed() {
  const test = page.test;
  if (!test) return;
  setText("#elapsed", fmt.clock(((test.stoppedAt ?? Date.now()) - test.startedAt) / 1000));
}
setInterval(renderElapsed, 100);

function renderControls() {
  const state = $("#state");
  state.dataset.state = page.plateState;
  state.textContent = page.plateState === "flushing" ? "saving…" : page.plateState;
  const online = socket?.connected ?? false; // the buttons act on live devices only
  $("#start").disabled = !online || page.plateState !== "idle";
  $("#stop").disabled = !online || page.plateState !== "running";
  $("#tare").disabled = !online || page.plateState !== "idle";
  const note = chart.mode === "live" ? "live view · last 10 s"
    : page.showingResult ? `test #${page.lastTestId} · finished`
      : `test #${page.test?.id} · recording`;
  setText("#view-note", note);
  $("#live-view").hidden = !page.showingResult;
}

function showError(message) {
  const box = $("#control-error");
  box.hidden = !message;
  box.textContent = message ?? "";
  if (message) log(message, "error");
}

// --- test life cycle ------------------------------------------------------------------------

function beginTest(id, startedAt = Date.now()) {
  if (page.test?.id === id) return;
  page.test = { id, startedAt, stoppedAt: null };
  page.lastTestId = id;
  page.showingResult = false;
  buffer.clear();
  chart.setMode("test");
  $("#result").hidden = true;
  $("#reps").hidden = true;
  $("#reps-body").replaceChildren();
  setText("#test-samples", "0");
  log(`Test #${id} started on ${page.device}`);
  renderControls();
}

function showResult(event) {
  page.showingResult = true;
  page.lastTestId = page.finishedId = event.session_id;
  if (page.test) page.test.stoppedAt ??= Date.now();
  renderElapsed();
  page.test = null;
  const body = event.analysis
    ? summaryView(event.analysis)
    : h("p", { class: "notice error" }, `No analysis: ${event.analysis_error ?? "unknown reason"}`);
  $("#result-body").replaceChildren(body);
  setText("#result-title", `Result · test #${event.session_id} · ${event.samples} samples`);
  $("#result-open").href = `/tests/${event.session_id}`;
  $("#result-csv").href = `/api/tests/${event.session_id}.csv`;
  $("#result").hidden = false;
  $("#result").scrollIntoView({ behavior: "smooth", block: "nearest" });
  const peak = event.analysis ? fmt.newtons(event.analysis.peak_force_n) : "no analysis";
  log(`Test #${event.session_id} saved: ${event.samples} samples, peak ${peak}`);
  renderControls();
}

function backToLive() {
  page.showingResult = false;
  buffer.clear();
  chart.setMode("live");
  renderControls();
}

// --- server events --------------------------------------------------------------------------

function onSamples(frame) {
  if (frame.device_id !== page.device || frame.samples.length === 0) return;
  const id = frame.session_id;
  if (id !== null && page.test?.id !== id && id !== page.finishedId) {
    beginTest(id);
  }
  const toChart = chart.mode === "live" || (page.test !== null && id === page.test.id);
  let l = 0;
  let r = 0;
  for (const s of frame.samples) {
    [l, r] = toNewtons(page.calibration, s.l, s.r);
    if (toChart) buffer.push(s.t, l, r);
  }
  page.latest = [l, r];
  if (toChart) chart.changed();
  queueValues();
}

function onStatus(event) {
  if (event.device_id !== page.device) return;
  const before = page.plateState;
  page.plateState = event.state;
  const id = event.session_id;
  if (id !== null && event.state !== "idle" && id !== page.finishedId) beginTest(id);
  if (event.state === "flushing" && before === "running") {
    if (page.test) page.test.stoppedAt = Date.now();
    log(`Test #${event.session_id} stopped; saving…`);
  }
  renderControls();
  pollStatus().catch(() => {});
}

function onRep(event) {
  if (event.device_id !== page.device) return;
  $("#reps-body").append(repView(event));
  $("#reps").hidden = false;
  const first = Object.values(event.metrics)[0];
  log(`Test #${event.session_id}: rep ${event.rep + 1} landed (${fmt.number(first, 3)})`);
}

function onComplete(event) {
  if (event.device_id !== page.device) return;
  showResult(event);
  pollStatus().catch(() => {});
}

// --- sync with the server (first load, reconnect, device change, poll) ------------------------

async function loadCalibration() {
  try {
    const device = await getJSON(`/api/devices/${encodeURIComponent(page.device)}`);
    page.calibration = device.data.calibration;
  } catch (error) {
    log(`Calibration of ${page.device}: ${error.message}`, "error");
  }
}

async function pollStatus() {
  const status = await getJSON(`/api/status${query({ device_id: page.device })}`);
  const online = status.devices.find((d) => d.esp_connected);
  if (page.autoDevice && !status.esp_connected && online && status.state === "idle") {
    page.autoDevice = false;
    await selectDevice(online.device_id);
    return pollStatus();
  }
  renderDevices($("#devices"), $("#clients"), status, page.device, selectDevice);
  fillDeviceChoice(status.devices.map((d) => d.device_id));
  if (status.state !== page.plateState) {
    page.plateState = status.state; // the server is the truth; a missed event heals here
    renderControls();
  }
  return status;
}

async function resync(socket) {
  socket.emit("register", { type: "browser", device_id: page.device });
  await loadCalibration();
  const status = await pollStatus();
  page.plateState = status.state;
  if (status.session_id !== null && status.state !== "idle" && page.test?.id !== status.session_id) {
    const [test, session] = await Promise.all([
      getJSON(`/api/tests/${status.session_id}`),
      getJSON(`/api/session_data${query({ device_id: page.device })}`),
    ]);
    beginTest(status.session_id, Date.parse(test.data.started_at));
    for (const s of session.samples) buffer.push(s.t, ...toNewtons(page.calibration, s.l, s.r));
    chart.changed();
  } else if (status.state === "idle" && page.test) {
    page.test = null; // it ended while we were away; its result is on the tests page
  }
  renderControls();
}

function fillDeviceChoice(ids) {
  const select = $("#device");
  const known = new Set([...select.options].map((o) => o.value));
  for (const id of new Set([page.device, "default", ...ids])) {
    if (!known.has(id)) select.append(h("option", { value: id }, id));
  }
  select.value = page.device;
}

async function selectDevice(id) {
  page.autoDevice = false; // a choice, made by hand or once automatically, sticks
  if (id === page.device) return;
  page.device = id;
  const url = new URL(location.href);
  url.searchParams.set("device", id);
  history.replaceState(null, "", url);
  page.test = null;
  page.latest = null;
  backToLive();
  $("#result").hidden = true;
  log(`Watching plate ${id}`);
  await resync(socket);
}

// --- controls -------------------------------------------------------------------------------

async function act(button, action) {
  button.disabled = true;
  showError(null);
  try {
    await action();
  } catch (error) {
    showError(error.message);
  } finally {
    renderControls();
  }
}

$("#start").addEventListener("click", (e) => act(e.currentTarget, async () => {
  const body = { device_id: page.device };
  const athlete = $("#athlete").value.trim();
  const notes = $("#notes").value.trim();
  const athleteId = picker.athleteId();
  if (athleteId !== null) body.athlete_id = athleteId;
  else if (athlete) body.athlete = athlete;
  if (notes) body.notes = notes;
  body.test_type = $("#test-type").value;
  if (DROPS.includes(body.test_type)) body.drop_height_m = Number($("#drop-height").value);
  const started = await postJSON("/api/start_test", body);
  // test_status may have arrived before this reply; only move forward from idle.
  if (page.plateState === "idle") page.plateState = "running";
  beginTest(started.session_id);
}));

$("#stop").addEventListener("click", (e) => act(e.currentTarget, async () => {
  await postJSON("/api/stop_test", { device_id: page.device });
  // Until test_status says otherwise; no second stop. The test may already be saved (its
  // events can beat this reply), so never move back from idle.
  if (page.plateState === "running") page.plateState = "flushing";
}));

// A loaded plate answers 409 plate_loaded naming the load in N and kg: zero it only if the
// person says so (docs/plates.md#tare-under-load).
async function tareAsked(url) {
  try {
    return await postJSON(url);
  } catch (error) {
    if (error.code !== "plate_loaded" || !window.confirm(`${error.message}.\n\nTare anyway?`)) throw error;
    return postJSON(`${url}?confirm=true`);
  }
}

$("#tare").addEventListener("click", (e) => act(e.currentTarget, async () => {
  const device = await tareAsked(`/api/devices/${encodeURIComponent(page.device)}/tare`);
  page.calibration = device.data.calibration;
  if (chart.mode === "live") buffer.clear(); // older samples were converted with the old zero
  const { l, r } = page.calibration;
  log(`Tared ${page.device}: zero at L ${l.offset.toFixed(1)}, R ${r.offset.toFixed(1)} (raw)`);
}));

$("#live-view").addEventListener("click", backToLive);
$("#test-type").addEventListener("change", (e) => {
  $("#drop-height-field").hidden = !DROPS.includes(e.currentTarget.value);
});
$("#device").addEventListener("change", (e) => selectDevice(e.currentTarget.value));

// --- go -------------------------------------------------------------------------------------

socket = connectLive({
  onConnect: (s) => {
    log("Connected to sensorhub");
    resync(s).catch((error) => log(error.message, "error"));
  },
});
socket.on("disconnect", () => {
  log("Connection lost; reconnecting…", "error");
  renderControls();
});
socket.on("sensor_data", onSamples);
socket.on("test_status", onStatus);
socket.on("data_complete", onComplete);
socket.on("jump_rep", onRep);
socket.on("error", (e) => log(`Server: ${e.message}`, "error"));
setInterval(() => {
  if (socket.connected) pollStatus().catch(() => {});
}, STATUS_POLL_MS);
fillDeviceChoice([]);
renderControls();
