// One stored test: header, curve, metrics, asymmetry, re-analysis, edit, delete.
import { TestCurve } from "./curve.js";
import { $, setText } from "./dom.js";
import { exclusionControl } from "./exclusion.js";
import * as fmt from "./format.js";
import { jumpEditor, jumpResultView } from "./jumpview.js";
import { asymmetryView, flagsView, metricsView } from "./metrics.js";
import { ApiError, deleteJSON, getJSON, patchJSON, postJSON } from "./net.js";
import { DEFAULTS, fillForm, readForm, showMethodFields } from "./reanalyze.js";
import { loadRecording } from "./recording.js";

const page = { testId: null, implausible: [] }; // implausible: also a flag chip

export async function showTest(id) {
  $("#detail-view").hidden = false;
  let test;
  try {
    test = (await getJSON(`/api/tests/${id}`)).data;
  } catch (error) {
    setText("#test-heading", error instanceof ApiError && error.status === 404 ? `No test #${id}` : error.message);
    return;
  }
  page.testId = test.id;
  renderHeader(test);
  renderExclusion(test);
  $("#csv").href = `/api/tests/${id}.csv`;
  wireEdit(test);
  wireDelete(test);
  const curve = new TestCurve($("#curve"), await recordingOf(test), (time) => onPick(curve, time));
  globalThis.sensorhub = { curve }; // the browser tests click on the curve at a given time
  wireReanalysis(test, curve);
  renderAnalysis(curve, await loadAnalysis(id));
}

// Retention removed the raw samples and CSV of an old test (docs/operations.md#retention): its
// saved analysis is shown, with no chart or download, and the page says why.
async function recordingOf(test) {
  const thinned = Boolean(test.samples_thinned_at);
  $("#thinned-notice").hidden = !thinned;
  $("#curve").hidden = thinned;
  $("#csv").hidden = thinned;
  if (!thinned) return loadRecording(test);
  setText("#thinned-notice", `The raw force–time curve and CSV of this test were removed by ` +
    `retention on ${fmt.dateTime(test.samples_thinned_at)}. The metrics, events and flags are its ` +
    `saved analysis, which can no longer be redone.`);
  const none = new Float64Array(0);
  return { time: none, left: none, right: none, total: none, length: 0 };
}

function renderHeader(test) {
  document.title = `Test #${test.id} · sensorhub`;
  setText("#test-heading", `Test #${test.id}${test.athlete ? ` · ${test.athlete}` : ""}`);
  setText("#test-meta", [
    fmt.dateTime(test.started_at), `plate ${test.device_id}`,
    `${test.sample_count} samples`, test.state, test.notes ? `“${test.notes}”` : null,
  ].filter(Boolean).join(" · "));
  renderCounting(test);
}

// Whether the test counts in trends and the squad: implausible numbers (kept out until a
// person includes the test, docs/analysis.md#implausible-results) or a person's exclusion.
function renderCounting(test) {
  const implausible = test.implausible ?? [];
  page.implausible = implausible;
  const reason = test.excluded_reason;
  let text = "";
  if (reason?.startsWith("implausible: ")) {
    text = `Implausible result, not counted in trends or the squad until someone includes it: ${implausible.join("; ")}.`;
  } else if (reason) {
    text = `Excluded from trends and the squad: ${reason}.`;
  } else if (implausible.length) {
    text = `Implausible result, included by a person: ${implausible.join("; ")}.`;
  }
  $("#test-counting").hidden = !text;
  setText("#test-counting", text);
}

// Whether the test counts in its athlete's trends and the squad; exclude or count it again.
function renderExclusion(test) {
  const failed = (error) => setText("#test-meta", error.message);
  $("#exclusion").replaceChildren(exclusionControl(test, renderExclusion, failed));
  $("#exclusion").dataset.excluded = test.excluded_reason == null ? "no" : "yes";
}

async function loadAnalysis(id) {
  try {
    return (await getJSON(`/api/tests/${id}/analysis`)).data;
  } catch (error) {
    return { error: error.message, params: DEFAULTS };
  }
}

// What a click on the curve sets: the onset of an IMTP, or the chosen event of a jump.
let onPick = pickOnset;

function renderAnalysis(curve, analysis) {
  const jump = analysis.params?.test_type && analysis.params.test_type !== "imtp";
  $("#reanalyze").hidden = jump;
  onPick = jump ? pickEvent : pickOnset;
  if (jump) {
    renderJumps(curve, analysis);
    return;
  }
  const failed = !analysis.result;
  const errorBox = $("#analysis-error");
  errorBox.hidden = !failed;
  errorBox.textContent = failed ? `No analysis: ${analysis.error}` : "";
  $("#metrics").replaceChildren(...(failed ? [] : [metricsView(analysis.result)]));
  $("#asymmetry").replaceChildren(...(failed ? [] : [asymmetryView(analysis.result)]));
  $("#flags").replaceChildren(...(failed ? [] : [flagsView(analysis.result, page.implausible)]));
  fillForm($("#reanalyze"), analysis.params);
  curve.show(analysis.result ?? null);
}

function renderJumps(curve, analysis) {
  const failed = !analysis.result;
  const errorBox = $("#analysis-error");
  errorBox.hidden = !failed;
  errorBox.textContent = failed ? `No analysis: ${analysis.error}` : "";
  $("#metrics").replaceChildren(...(failed ? [] : [jumpResultView(analysis.result)]));
  $("#asymmetry").replaceChildren();
  $("#flags").replaceChildren();
  const editor = jumpEditor(analysis, async (edits) => {
    setText("#reanalyze-status", "Analysing…");
    try {
      const { data } = await postJSON(`/api/tests/${page.testId}/events`, { edits });
      renderAnalysis(curve, data);
      setText("#reanalyze-status", "Event moved; analysis updated and saved.");
    } catch (error) {
      setText("#reanalyze-status", error.message);
    }
  });
  $("#jump-editor")?.remove();
  $("#reanalyze").after(editor);
  curve.show(analysis.result ?? null);
}

function pickEvent(curve, time) {
  const form = $("#jump-editor");
  if (!form) return;
  form.elements.time_s.value = time.toFixed(3);
  curve.pending(time);
  setText("#reanalyze-status", `${fmt.seconds(time)} picked: press Move event to apply.`);
}

function pickOnset(curve, time) {
  const form = $("#reanalyze");
  form.elements.onset_method.value = "manual";
  form.elements.onset_time_s.value = time.toFixed(3);
  showMethodFields(form);
  curve.pending(time);
  setText("#reanalyze-status", `Onset at ${fmt.seconds(time)} picked: press Re-analyse to apply.`);
}

function wireReanalysis(test, curve) {
  const form = $("#reanalyze");
  const run = async (body) => {
    setText("#reanalyze-status", "Analysing…");
    try {
      const { data } = await postJSON(`/api/tests/${test.id}/analysis`, body);
      renderCounting((await getJSON(`/api/tests/${test.id}`)).data); // new numbers may (not) be plausible
      renderAnalysis(curve, data);
      setText("#reanalyze-status", data.result ? "Analysis updated and saved." : `No analysis: ${data.error}`);
    } catch (error) {
      setText("#reanalyze-status", error.message);
    }
  };
  form.elements.onset_method.addEventListener("change", () => showMethodFields(form));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    run(readForm(form));
  });
  $("#defaults").addEventListener("click", () => {
    fillForm(form, DEFAULTS);
    run(readForm(form));
  });
}

function wireEdit(test) {
  const form = $("#edit");
  form.elements.athlete.value = test.athlete ?? "";
  form.elements.notes.value = test.notes ?? "";
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const { data } = await patchJSON(`/api/tests/${test.id}`, {
        athlete: form.elements.athlete.value.trim() || null,
        notes: form.elements.notes.value.trim() || null,
      });
      renderHeader(data);
      renderExclusion(data);
      setText("#edit-status", "Saved.");
    } catch (error) {
      setText("#edit-status", error.message);
    }
  });
}

function wireDelete(test) {
  const dialog = $("#confirm-delete");
  setText("#confirm-title", `Delete test #${test.id}?`);
  $("#delete").addEventListener("click", () => {
    dialog.returnValue = ""; // Escape keeps the previous value: never let it be "delete"
    dialog.showModal();
  });
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "delete") return;
    try {
      await deleteJSON(`/api/tests/${test.id}`);
      location.assign(`/tests?deleted=${test.id}`);
    } catch (error) {
      setText("#test-meta", error.message);
    }
  });
}
