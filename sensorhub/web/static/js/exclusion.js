// Exclude a trial with a reason, or count it again (PUT /api/tests/{id}/exclusion): the test
// page and the athlete page share this control and its dialog. An excluded trial counts
// nowhere: best trial, trends, squad, reports (docs/athletes.md#sessions-and-trials).
import { $, h } from "./dom.js";
import { clearFieldErrors, showFieldError } from "./forms.js";
import { putJSON } from "./net.js";

const ask = { dialog: null, test: null, done: null };

function reasonDialog() {
  if (ask.dialog) return ask.dialog;
  const form = h("form", { method: "dialog", class: "stack", novalidate: true },
    h("h2", { id: "exclude-title" }, "Exclude this trial?"),
    h("p", {}, "It stays stored and listed, but counts nowhere: not as the day's best trial, nor in trends, the squad or reports, until it is counted again."),
    h("label", {}, "Reason (e.g. hands slipped)",
      h("input", { name: "reason", maxlength: "500", autocomplete: "off", "aria-describedby": "exclude-error" }),
      h("span", { id: "exclude-error", class: "field-error", "data-error-for": "reason", role: "alert" })),
    h("div", { class: "row" },
      h("button", { value: "exclude", class: "danger" }, "Exclude"),
      h("button", { value: "cancel", type: "button", onclick: () => ask.dialog.close() }, "Cancel")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form); // a blank reason goes as typed: the API's 422 says it is needed
    try {
      const { data } = await putJSON(`/api/tests/${ask.test.id}/exclusion`, { reason: form.elements.reason.value.trim() });
      ask.dialog.close();
      ask.done(data);
    } catch (error) {
      if (!showFieldError(form, error)) $("#exclude-error").textContent = error.message;
    }
  });
  ask.dialog = h("dialog", { id: "exclude-dialog", "aria-labelledby": "exclude-title" }, form);
  document.body.append(ask.dialog);
  return ask.dialog;
}

function askReason(test, done) {
  const dialog = reasonDialog();
  Object.assign(ask, { test, done });
  const form = $("form", dialog);
  clearFieldErrors(form);
  form.reset();
  $("#exclude-title").textContent = `Exclude test #${test.id}?`;
  dialog.showModal();
}

// What shows for one test: whether it counts, and the button that changes it. `changed` gets
// the test as stored after the change; `failed` an error the API gave.
export function exclusionControl(test, changed, failed) {
  if (test.athlete_id == null) {
    return h("span", { class: "muted" }, "Belongs to no athlete: counts in no trend.");
  }
  if (test.excluded_reason == null) {
    return h("span", { class: "exclusion" }, h("span", { class: "counts" }, "Counts"), " ",
      h("button", { type: "button", onclick: () => askReason(test, changed) }, "Exclude…"));
  }
  const include = async () => {
    try {
      changed((await putJSON(`/api/tests/${test.id}/exclusion`, { reason: null })).data);
    } catch (error) {
      failed(error);
    }
  };
  return h("span", { class: "exclusion" },
    h("span", { class: "excluded-mark" }, `Excluded: ${test.excluded_reason}`), " ",
    h("button", { type: "button", onclick: include }, "Count it again"));
}
