// The models page: registered window models with their leave-one-participant-out figures,
// activation, training over study sessions, and E4 import.
import { $, h } from "./dom.js";
import { getJSON, postJSON } from "./net.js";

const figure = (v) => (v == null ? "–" : v.toFixed(3));

function row(model) {
  const e = model.evaluation;
  const activate = h("button", { type: "button" }, model.active ? "Active" : "Activate");
  activate.disabled = model.active || model.relative_to_baseline;
  if (model.relative_to_baseline) activate.title = "needs a baseline: use it to re-score sessions";
  activate.addEventListener("click", () => postJSON(`/api/models/${model.version}/activate`).then(load).catch(fail));
  const people = `${e.participants}${e.too_few_participants ? ` (fewer than ${e.min_participants})` : ""}`;
  return h("tr", { class: model.active ? "active" : "" },
    h("td", {}, model.name + (model.demo ? " (demo)" : "")),
    h("td", {}, model.target),
    h("td", {}, model.relative_to_baseline ? "yes" : "no"),
    h("td", { class: "n" }, people),
    h("td", { class: "n" }, String(model.windows)),
    h("td", { class: "n" }, figure(e.pooled.balanced_accuracy)),
    h("td", { class: "n" }, figure(e.pooled.f1)),
    h("td", { class: "n" }, figure(e.pooled.roc_auc)),
    h("td", { class: "n" }, figure(e.not_held_out.balanced_accuracy)),
    h("td", {}, h("a", { href: `/api/models/${model.version}/report` }, "report")),
    h("td", {}, activate),
  );
}

function fail(error) {
  $("#notice").hidden = false;
  $("#notice").textContent = error.message;
}

async function load() {
  const models = (await getJSON("/api/models")).data;
  $("#models tbody").replaceChildren(...models.map(row));
}

async function train(form) {
  const sessions = form.elements.sessions.value.split(",").map((s) => Number(s.trim())).filter(Boolean);
  await postJSON("/api/models/train", {
    sessions, target: form.elements.target.value.trim(), relative_to_baseline: form.elements.relative.checked,
  });
  await load();
}

async function importE4(form) {
  const files = {};
  for (const file of form.elements.files.files) files[file.name] = await file.text();
  const phases = form.elements.phases.value.split(",").map((p) => p.trim()).filter(Boolean);
  const session = (await postJSON("/api/wearable/sessions/import-e4", {
    participant: form.elements.participant.value.trim(), files, phases,
  })).data;
  $("#notice").hidden = false;
  $("#notice").textContent = `Imported as study session ${session.id} (${session.batches} batches, ${session.phases} phases, ${session.labels} labels).`;
}

function main() {
  for (const [id, action] of [["#train-form", train], ["#import-form", importE4]]) {
    const form = $(id);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      action(form).catch(fail);
    });
  }
  load().catch(fail);
}

main();
