// The athlete editor on the athletes page: create an athlete or change every field the API
// stores (name, sport, groups, body mass, birth year, sex, setup, notes). The API checks every
// field; its 422 is shown next to the field it names, so no rule is spelled twice.
import { $, setText } from "./dom.js";
import { clearFieldErrors, showFieldError } from "./forms.js";
import { patchJSON, postJSON } from "./net.js";

const SETUP_NUMBERS = ["bar_height_cm", "knee_angle_deg", "hip_angle_deg"];

const text = (value) => value.trim() || null;

// A number as typed; what is not one goes as typed, so the API's 422 names the field.
function numberOrText(value) {
  const typed = value.trim();
  if (!typed) return null;
  const number = Number(typed);
  return Number.isFinite(number) ? number : typed;
}

function readSetup(f) {
  const setup = Object.fromEntries(SETUP_NUMBERS.map((k) => [k, numberOrText(f[`setup.${k}`].value)]));
  setup.grip = text(f["setup.grip"].value);
  setup.straps = f["setup.straps"].value === "" ? null : f["setup.straps"].value === "true";
  return Object.values(setup).some((v) => v !== null) ? setup : null;
}

function readForm(form) {
  const f = form.elements;
  return {
    name: f.name.value.trim(),
    sport: text(f.sport.value),
    groups: f.groups.value.split(",").map((g) => g.trim()).filter(Boolean),
    body_mass_kg: numberOrText(f.body_mass_kg.value),
    birth_year: numberOrText(f.birth_year.value),
    sex: f.sex.value || null,
    setup: readSetup(f),
    notes: text(f.notes.value),
  };
}

function fillForm(form, athlete) {
  const f = form.elements;
  const shown = (v) => (v == null ? "" : String(v));
  for (const key of ["name", "sport", "body_mass_kg", "birth_year", "sex", "notes"]) f[key].value = shown(athlete?.[key]);
  f.groups.value = (athlete?.groups ?? []).join(", ");
  const setup = athlete?.setup ?? {};
  for (const key of [...SETUP_NUMBERS, "grip", "straps"]) f[`setup.${key}`].value = shown(setup[key]);
}

// open(null) for a new athlete, open(athlete) to edit; onSaved(record, created) after a save.
export function athleteEditor(onSaved) {
  const section = $("#editor");
  const form = $("#athlete-form");
  let editing = null;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    setText("#editor-status", "Saving…");
    try {
      const body = readForm(form);
      const { data } = editing ? await patchJSON(`/api/athletes/${editing.id}`, body) : await postJSON("/api/athletes", body);
      setText("#editor-status", "");
      section.hidden = true;
      onSaved(data, editing === null);
    } catch (error) {
      setText("#editor-status", showFieldError(form, error) ? "Not saved: see the field marked." : `Not saved: ${error.message}`);
    }
  });
  $("#cancel-edit").addEventListener("click", () => { section.hidden = true; });
  return {
    open(athlete) {
      editing = athlete;
      clearFieldErrors(form);
      setText("#editor-status", "");
      setText("#editor-title", athlete ? `Edit ${athlete.name}` : "New athlete");
      fillForm(form, athlete);
      section.hidden = false;
      form.elements.name.focus();
      section.scrollIntoView({ block: "nearest" });
    },
  };
}
