// The live force-plate page: devices, start/stop/tare, the guided flow (cue, weighing,
// automatic start and stop, trials today), live chart, values, result, log.
import { athletePicker } from "./athletepicker.js";
import { SampleBuffer } from "./buffer.js";
import { toNewtons } from "./calibration.js";
import { renderDevices } from "./devices.js";
import { $, h, setText } from "./dom.js";
import { eventLog } from "./eventlog.js";
import * as fmt from "./format.js";
import { Guide, weightText } from "./guide.js";
import { LiveForceChart } from "./livechart.js";
import { getJSON, postJSON, query } from "./net.js";
import { repView } from "./jumps.js";
import { summaryView } from "./result.js";
import { pullStats } from "./pullstats.js";
import { connectLive } from "./socket.js";
import { renderTrials, setTrialTarget, trialTarget } from "./todaytrials.js";

const STATUS_POLL_MS = 2000;
const DISPLAY_CAPACITY = 120_000; // two minutes at 1000 Hz on screen; storage keeps everything
// Tests that start from a box: the drop height is asked for (docs/jumps.md).
const DROPS = ["drop_jump", "drop_landing"];

const chosenDevice = new URLSearchParams(location.search).get("device");

const page = {
  device: chosenDevice, // null until a real plate is found (docs/plates.md "The live page")
  // Until someone picks a plate, follow the one that is actually streaming.
  autoDevice: !chosenDevice,
  calibration: null,
  plateState: "unknown", // until the server has said: no button acts before that
  espConnected: false,
  // Frames that came while a running test is loaded from the server. Queued from the page load
  // on: socket.io hands the page events it buffered before its "connect" handler runs.
  rebuilding: [],
  // The running test as loaded from /api/session_data, {id, from, upTo} (its first and newest
  // sample t): a frame sent before that reply may still arrive after it (the socket and the
  // reply are separate connections). Null once the frames are past it.
  loaded: null,
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
const guide = new Guide();
let autoStartArmed = false; // set when the plate is seen empty (or the box ticked)
let autoStopSent = false;
let trialsDone = 0; // of the chosen athlete today, this test type (counted toward the target)
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
  refreshTrials();
});

async function refreshTrials() {
  const count = await renderTrials(picker.athleteId(), $("#test-type").value);
  trialsDone = count;
  const target = trialTarget();
  setText("#trial-count", picker.athleteId() === null ? "–" : `${count} of ${target}`);
  $("#trial-count").dataset.done = String(count >= target);
  renderCue();
}

const targetReached = () => picker.athleteId() !== null && trialsDone >= trialTarget();
$("#target-on").addEventListener("change", renderTarget);
$("#target-pct").addEventListener("input", renderTarget);

function renderElapsed() {
  const test = page.test;
  if (!test) return;
  setText("#elapsed", fmt.clock(((test.stoppedAt ?? Date.now()) - test.startedAt) / 1000));
}
setInterval(renderElapsed, 100);

const STATE_TEXT = { flushing: "saving…", unknown: "loading…" };

function renderControls() {
  const state = $("#state");
  state.dataset.state = page.plateState;
  state.textContent = STATE_TEXT[page.plateState] ?? page.plateState;
  // The buttons act once the plate's state is known from the server, while connected.
  const online = (socket?.connected ?? false) && page.device !== null && page.rebuilding === null;
  $("#start").disabled = !online || page.plateState !== "idle";
  $("#stop").disabled = !online || page.plateState !== "running";
  $("#tare").disabled = !online || page.plateState !== "idle" || !page.espConnected;
  renderCue();
  const note = chart.mode === "live" ? "live view · last 10 s"
    : page.showingResult ? `test #${page.lastTestId} · finished`
      : `test #${page.test?.id} · recording`;
  setText("#view-note", note);
  $("#live-view").hidden = !page.showingResult;
}

function renderCue() {
  guide.plateState = page.plateState;
  guide.testType = $("#test-type").value;
  let { phase, text } = guide.cue();
  if (page.plateState === "idle" && targetReached()) {
    [phase, text] = ["done", `Target reached: ${trialsDone} of ${trialTarget()} trials — next athlete`];
  }
  if (page.device === null) {
    [phase, text] = ["offline", "No force plate connected — switch the plate on"];
  } else if (!page.espConnected && page.plateState === "idle") {
    [phase, text] = ["offline", `Plate ${page.device} is offline`];
  }
  $("#guide").dataset.phase = phase;
  setText("#cue", text);
  setText("#bw", weightText(guide.weight));
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
  page.loaded = null; // set again when a running test is loaded
  page.lastTestId = id;
  guide.beginTest();
  autoStartArmed = false; // the next automatic start waits until the plate was left
  autoStopSent = false;
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
  $("#result").scrollIntoView({ block: "nearest" });
  const peak = event.analysis ? fmt.newtons(event.analysis.peak_force_n) : "no analysis";
  log(`Test #${event.session_id} saved: ${event.samples} samples, peak ${peak}`);
  if (event.analysis) trialsDone++; // at once, before the table is fetched again
  renderControls();
  refreshTrials().catch((error) => log(error.message, "error"));
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
  if (page.rebuilding !== null) {
    page.rebuilding.push(frame); // applied once the test so far is loaded
    return;
  }
  const samples = notYetLoaded(frame);
  if (samples.length === 0) return;
  frame = { ...frame, samples };
  const id = frame.session_id;
  if (id !== null && page.test?.id !== id && id !== page.finishedId) {
    if (page.plateState === "idle") page.plateState = "running"; // test_status may come later
    beginTest(id);
  }
  const toChart = chart.mode === "live" || (page.test !== null && id === page.test.id);
  let l = 0;
  let r = 0;
  for (const s of frame.samples) {
    [l, r] = toNewtons(page.calibration, s.l, s.r);
    if (toChart) buffer.push(s.t, l, r);
    guide.push(s.t, l + r);
  }
  page.latest = [l, r];
  if (toChart) chart.changed();
  queueValues();
  followTheAthlete();
}

// The optional automatic start and stop (docs/plates.md "The guided flow").
function followTheAthlete() {
  if (guide.unloaded) autoStartArmed = true;
  // Automatic starts end once the athlete has the target number of trials.
  const ready = !$("#start").disabled && page.espConnected && !targetReached() &&
    !DROPS.includes($("#test-type").value);
  if ($("#auto-start").checked && autoStartArmed && ready && guide.steady) {
    autoStartArmed = false;
    log(`Weighed ${weightText(guide.weight)}: starting`);
    act($("#start"), start);
  } else if ($("#auto-stop").checked && !autoStopSent && guide.leftThePlate && !$("#stop").disabled) {
    autoStopSent = true;
    log("The athlete stepped off: stopping");
    act($("#stop"), stop);
  }
  renderCue();
}

function onStatus(event) {
  if (event.device_id !== page.device) return;
  if (page.rebuilding !== null) {
    page.rebuilding.stale = true; // it changed while we loaded it: load it again after
    return;
  }
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
  if (page.rebuilding !== null) page.rebuilding.stale = true;
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

// A plate worth offering: its esp is connected, or it streamed to this server (it has a
// latest sample). A name nobody streamed for (`default`) is not a plate.
const isRealPlate = (d) => d.esp_connected || d.latest !== null;

// The plate to follow when none was chosen: the first online, else the first real one.
function plateToFollow(devices) {
  const real = devices.filter(isRealPlate);
  return (real.find((d) => d.esp_connected) ?? real[0])?.device_id ?? null;
}

async function pollStatus() {
  const status = await getJSON(`/api/status${query({ device_id: page.device })}`);
  const offered = status.devices.filter(isRealPlate);
  if (page.autoDevice) {
    const follow = plateToFollow(status.devices);
    const better = follow !== null && follow !== page.device &&
      (page.device === null || (!status.esp_connected && status.state === "idle"));
    if (better) {
      await selectDevice(follow, { auto: true });
      return null;
    }
  }
  renderDevices($("#devices"), $("#clients"), { ...status, devices: offered }, page.device, selectDevice);
  fillDeviceChoice(offered);
  if (page.device === null) {
    renderControls();
    return null;
  }
  page.espConnected = status.esp_connected;
  if (status.state !== page.plateState && page.rebuilding === null) {
    page.plateState = status.state; // the server is the truth; a missed event heals here
  }
  renderControls();
  return status;
}

// After a (re)connect or a plate change: the plate's state, and a running test as it is now
// (athlete, type, elapsed on the server's clock, its samples so far: the chart, count, peak).
async function resync() {
  page.rebuilding ??= [];
  renderControls();
  try {
    if (page.device !== null) {
      socket.emit("register", { type: "browser", device_id: page.device });
      await loadCalibration();
    }
    const status = await pollStatus();
    if (status === null) return; // no plate yet, or another plate was chosen (it resyncs)
    const test = status.test;
    if (test !== null && page.test?.id !== test.session_id) {
      await rebuildTest(test);
    } else if (test === null && page.test) {
      page.test = null; // it ended while we were away; its result is on the tests page
    }
    page.plateState = status.state;
  } finally {
    const late = page.rebuilding ?? [];
    page.rebuilding = null;
    for (const frame of late) onSamples(frame); // those that came while the test was loading
    renderControls();
    if (late.stale) resync().catch((error) => log(error.message, "error"));
  }
}

async function rebuildTest(test) {
  const session = await getJSON(`/api/session_data${query({ device_id: page.device })}`);
  page.plateState = "running"; // so the guide counts the samples below as the test's
  beginTest(test.session_id, Date.now() - test.elapsed_s * 1000);
  $("#athlete").value = test.athlete ?? "";
  $("#athlete").dispatchEvent(new Event("input")); // the picker finds them: setup, trials
  $("#notes").value = test.notes ?? "";
  $("#test-type").value = test.test_type;
  $("#drop-height-field").hidden = !DROPS.includes(test.test_type);
  if (test.drop_height_m !== null) $("#drop-height").value = String(test.drop_height_m);
  guide.plateState = "running";
  for (const s of session.samples) {
    const [l, r] = toNewtons(page.calibration, s.l, s.r);
    buffer.push(s.t, l, r);
    guide.push(s.t, l + r);
  }
  const [first, last] = [session.samples.at(0), session.samples.at(-1)];
  page.loaded = last ? { id: test.session_id, from: first.t, upTo: last.t } : null;
  chart.changed();
  queueValues();
  log(`Test #${test.session_id} of ${test.athlete ?? "no athlete"} is running: shown from its start`);
}

// A frame's samples that are not among the loaded ones. Only a frame of the loaded test can
// repeat them, with its t within the loaded span; the socket keeps order, so once a frame
// starts outside that span (newer, or the plate's clock started again: a reboot), the rest do
// too and nothing more is dropped.
function notYetLoaded(frame) {
  const loaded = page.loaded;
  if (loaded === null || frame.session_id !== loaded.id) return frame.samples;
  const t0 = frame.samples[0].t;
  if (t0 > loaded.upTo || t0 < loaded.from) {
    page.loaded = null;
    return frame.samples;
  }
  return frame.samples.filter((s) => s.t > loaded.upTo);
}

function fillDeviceChoice(devices) {
  const select = $("#device");
  const options = devices.map((d) => h("option", { value: d.device_id },
    `${d.device_id}${d.esp_connected ? "" : " (offline)"}`));
  if (page.device !== null && !devices.some((d) => d.device_id === page.device)) {
    options.unshift(h("option", { value: page.device }, `${page.device} (offline)`));
  }
  if (options.length === 0) options.push(h("option", { value: "" }, "no plate connected"));
  const signature = options.map((o) => o.textContent).join("|");
  if (select.dataset.options !== signature) {
    select.replaceChildren(...options);
    select.dataset.options = signature;
  }
  select.value = page.device ?? "";
}

async function selectDevice(id, { auto = false } = {}) {
  if (!auto) page.autoDevice = false; // a choice made by hand sticks
  if (id === page.device || !id) return;
  page.device = id;
  if (!auto) {
    const url = new URL(location.href);
    url.searchParams.set("device", id);
    history.replaceState(null, "", url);
  }
  page.test = null;
  page.latest = null;
  page.loaded = null; // another plate, another clock
  page.plateState = "unknown";
  backToLive();
  $("#result").hidden = true;
  log(`Watching plate ${id}`);
  await resync();
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

// An offline plate starts only when the coach says so: its test records nothing until the
// plate connects (the seed's start-before-the-esp behaviour, kept for that case).
function confirmOffline() {
  const dialog = $("#offline-confirm");
  setText("#offline-text", `Plate ${page.device} is not connected. A test started now records ` +
    "nothing until its ESP32 connects. Start anyway?");
  dialog.showModal();
  return new Promise((resolve) => {
    const answer = (yes) => () => {
      dialog.close();
      resolve(yes);
    };
    $("#offline-start").onclick = answer(true);
    $("#offline-cancel").onclick = answer(false);
    dialog.oncancel = answer(false);
  });
}

async function start() {
  if (!page.espConnected && !(await confirmOffline())) {
    log(`Not started: plate ${page.device} is offline`);
    return;
  }
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
}

async function stop() {
  await postJSON("/api/stop_test", { device_id: page.device });
  // Until test_status says otherwise; no second stop. The test may already be saved (its
  // events can beat this reply), so never move back from idle.
  if (page.plateState === "running") page.plateState = "flushing";
}

$("#start").addEventListener("click", (e) => act(e.currentTarget, start));
$("#stop").addEventListener("click", (e) => act(e.currentTarget, stop));

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
  renderCue();
  refreshTrials().catch((error) => log(error.message, "error"));
});
$("#device").addEventListener("change", (e) => selectDevice(e.currentTarget.value));
$("#auto-start").addEventListener("change", (e) => { autoStartArmed = e.currentTarget.checked; });
$("#trial-target").value = String(trialTarget());
$("#trial-target").addEventListener("change", (e) => {
  setTrialTarget(Number(e.currentTarget.value));
  refreshTrials().catch((error) => log(error.message, "error"));
});

// --- go -------------------------------------------------------------------------------------

socket = connectLive({
  onConnect: () => {
    log("Connected to sensorhub");
    resync().catch((error) => log(error.message, "error"));
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
refreshTrials().catch((error) => log(error.message, "error"));
