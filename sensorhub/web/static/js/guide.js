// The guided live flow (docs/plates.md "The guided flow"): from the live total force it says
// what the athlete should do now (step on, stand still, pull or jump), weighs them as the
// analysis will, and tells the page when it may start or stop a test by itself.

// A weighing is the analysis' own: a closed 1 s window (docs/analysis.md "Body weight")
// whose SD is at most the limit over which a weighing is flagged unsteady (10 N,
// sensorhub/loadcell/imtp.py UNSTEADY_SD_N), with at least 10 samples.
export const WEIGH_WINDOW_MS = 1000;
export const STEADY_SD_N = 10;
const MIN_WINDOW_SAMPLES = 10;
// The plate counts as unloaded under 20 N: the provisional contact threshold of the jump
// analysis (VALD ForceDecks' start-of-movement threshold, docs/jumps.md), far above a tared
// plate's noise and far below any athlete.
export const UNLOADED_N = 20;
// Unloaded this long after having been loaded in the test: the athlete has left the plate
// (a flight is shorter: docs/jumps.md treats 1 s airborne as leaving the plate).
export const LEFT_PLATE_MS = 1000;
export const GRAVITY = 9.81; // as the analysis: mass = weight / g

const CUES = {
  imtp: "Pull!", cmj: "Jump!", squat_jump: "Jump!", rebound: "Jump!", drop_jump: "Jump!",
  drop_landing: "Land!",
};
// Drop tests start on a box, off the plate: they are weighed on the stance after landing.
const FROM_A_BOX = new Set(["drop_jump", "drop_landing"]);

// The last 1 s of total force with running sums, so each sample costs O(1).
class Window {
  #t = [];
  #f = [];
  #head = 0;
  #sum = 0;
  #sumSq = 0;

  clear() {
    this.#t = [];
    this.#f = [];
    this.#head = 0;
    this.#sum = this.#sumSq = 0;
  }

  push(t, total) {
    this.#t.push(t);
    this.#f.push(total);
    this.#sum += total;
    this.#sumSq += total * total;
    while (t - this.#t[this.#head] > WEIGH_WINDOW_MS) {
      const old = this.#f[this.#head++];
      this.#sum -= old;
      this.#sumSq -= old * old;
    }
    if (this.#head > 4096) { // drop what left the window, now and then
      this.#t = this.#t.slice(this.#head);
      this.#f = this.#f.slice(this.#head);
      this.#head = 0;
    }
  }

  // {mean, sd} of the window when it spans a full second, else null.
  stats() {
    const n = this.#t.length - this.#head;
    if (n < MIN_WINDOW_SAMPLES || this.#t.at(-1) - this.#t[this.#head] < WEIGH_WINDOW_MS) return null;
    const mean = this.#sum / n;
    const variance = Math.max(0, (this.#sumSq - n * mean * mean) / (n - 1));
    return { mean, sd: Math.sqrt(variance) };
  }
}

export class Guide {
  #window = new Window();
  testType = "imtp";
  plateState = "unknown";
  weight = null; // N: the last steady weighing (before the test, or in it)
  weighedInTest = false;
  loadedInTest = false;
  unloadedSince = null; // device ms
  last = null; // newest total, N
  lastT = null; // its device time, ms
  steady = false;

  // A test started (or was found running): it is weighed again from its own samples.
  beginTest() {
    this.weighedInTest = false;
    this.loadedInTest = false;
    this.#window.clear();
  }

  push(t, total) {
    this.last = total;
    this.#window.push(t, total);
    const loaded = total >= UNLOADED_N;
    this.unloadedSince = loaded ? null : (this.unloadedSince ?? t);
    if (loaded && this.plateState === "running") this.loadedInTest = true;
    const stats = this.#window.stats();
    this.steady = stats !== null && stats.sd <= STEADY_SD_N && stats.mean >= UNLOADED_N;
    // In a test, the first steady second is the weighing; a steady plateau later is not.
    const weighing = this.plateState !== "running" || !this.weighedInTest;
    if (this.steady && weighing) {
      this.weight = stats.mean;
      if (this.plateState === "running") this.weighedInTest = true;
    }
    this.lastT = t;
  }

  get unloaded() { return this.last !== null && this.last < UNLOADED_N; }

  // Unloaded for LEFT_PLATE_MS after having been on the plate in this test.
  get leftThePlate() {
    return this.plateState === "running" && this.loadedInTest && this.unloadedSince !== null &&
      this.lastT - this.unloadedSince >= LEFT_PLATE_MS;
  }

  // What to tell the athlete now: {phase, text}.
  cue() {
    const fromBox = FROM_A_BOX.has(this.testType);
    if (this.plateState === "flushing") return { phase: "saving", text: "Saving…" };
    if (this.plateState === "running") {
      if (this.weighedInTest || fromBox) return { phase: "effort", text: CUES[this.testType] ?? "Go!" };
      return { phase: "weighing", text: "Stand still — weighing…" };
    }
    if (this.last === null) return { phase: "waiting", text: "Waiting for the plate…" };
    if (fromBox) return { phase: "ready", text: "Stand on the box, then press Start" };
    if (this.unloaded) return { phase: "empty", text: "Step on the plate" };
    if (!this.steady) return { phase: "weighing", text: "Stand still — weighing…" };
    return { phase: "weighed", text: "Weighed: ready" };
  }
}

export function weightText(newtons) {
  if (newtons === null) return "–";
  return `${(newtons / GRAVITY).toFixed(1)} kg · ${newtons.toFixed(0)} N`;
}
