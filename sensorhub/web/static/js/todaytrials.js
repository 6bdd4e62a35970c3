// The live page's "Trials today": the chosen athlete's saved tests of this test type since
// local midnight, the best marked, and how many count toward the target number of trials.
import { $, h, setText } from "./dom.js";
import * as fmt from "./format.js";
import { getJSON, query } from "./net.js";

// The number that ranks trials of each type and whether higher is better: the server's
// ranking_metric and its direction (loadcell/recorded.py; docs/jumps.md#reps-are-trials), so the
// trial marked best here is the one trends and the squad take.
const RANKED_BY = {
  imtp: ["peak_force_n", "Peak force", fmt.newtons, 1],
  cmj: ["jump_height_impulse_m", "Jump height", (m) => `${fmt.number(m * 100, 1)}\u00a0cm`, 1],
  squat_jump: ["jump_height_impulse_m", "Jump height", (m) => `${fmt.number(m * 100, 1)}\u00a0cm`, 1],
  drop_jump: ["rsi_m_s", "RSI", (v) => `${fmt.number(v, 2)}\u00a0m/s`, 1],
  rebound: ["mean_rsi_best_hops_m_s", "RSI, best hops", (v) => `${fmt.number(v, 2)}\u00a0m/s`, 1],
  drop_landing: ["peak_landing_force_n", "Peak landing force", fmt.newtons, -1],
};
const TARGET_KEY = "sensorhub.trialTarget";
export const DEFAULT_TARGET = 3;

const typeOf = (test) => test.summary?.test_type ?? "imtp";
const today = (iso) => new Date(iso).toDateString() === new Date().toDateString();

export function trialTarget() {
  const stored = Number(localStorage.getItem(TARGET_KEY));
  return Number.isInteger(stored) && stored > 0 ? stored : DEFAULT_TARGET;
}

export function setTrialTarget(value) {
  if (Number.isInteger(value) && value > 0) localStorage.setItem(TARGET_KEY, String(value));
}

// Fetch and draw; returns how many trials count (saved today, of this type, not excluded).
export async function renderTrials(athleteId, testType) {
  const [metric, label, format, direction] = RANKED_BY[testType] ?? RANKED_BY.imtp;
  setText("#trials-metric", label);
  let tests = [];
  if (athleteId !== null) {
    const listed = (await getJSON("/api/tests" + query({ athlete_id: athleteId, limit: 100 }))).data;
    tests = listed.filter((t) => t.state === "complete" && today(t.started_at) && typeOf(t) === testType)
      .reverse(); // oldest first: trial 1, 2, 3
  }
  const counted = tests.filter((t) => !t.excluded_reason && Number.isFinite(t.summary?.[metric]));
  const best = counted.reduce((a, t) => (a === null || direction * (t.summary[metric] - a.summary[metric]) > 0 ? t : a), null);
  $("#trials").tBodies[0].replaceChildren(...tests.map((t, i) => h("tr", {
    dataset: { test: t.id, best: t === best ? "yes" : "no" },
    class: t === best ? "best" : "",
  },
  h("td", {}, h("a", { href: `/tests/${t.id}`, title: `test #${t.id}` }, String(i + 1))),
  h("td", {}, fmt.dateTime(t.started_at).slice(11, 16)),
  h("td", { class: "n" }, format(t.summary?.[metric] ?? null)),
  h("td", {}, t === best ? "★ best" : t.excluded_reason ? "excluded" : ""))));
  $("#trials-empty").hidden = tests.length > 0;
  setText("#trials-empty", athleteId === null ? "Choose an athlete to see their trials today." : "No trials today yet.");
  return counted.length;
}
