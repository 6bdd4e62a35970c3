// A form's API errors shown next to their field. The API names the first bad field in its
// message ("body_mass_kg: must be …", "setup.knee_angle_deg: …", "groups[2]: …"); the field's
// error slot is the element with data-error-for="that name" (a list's index dropped).
import { $ } from "./dom.js";

const fieldOf = (message) => message.match(/^([A-Za-z_][\w.]*)(\[\d+\])*:/)?.[1] ?? null;

export function clearFieldErrors(form) {
  for (const slot of form.querySelectorAll("[data-error-for]")) slot.textContent = "";
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

// Shows the error beside its field (and focuses it); true when a field took it.
export function showFieldError(form, error) {
  const field = fieldOf(error.message ?? "");
  const slot = field && $(`[data-error-for="${field}"]`, form);
  if (!slot) return false;
  const rest = error.message.slice(field.length);
  const index = rest.match(/^\[(\d+)\]/)?.[1];
  const reason = rest.replace(/^(\[\d+\])*:\s*/, "");
  slot.textContent = index === undefined ? reason : `entry ${Number(index) + 1}: ${reason}`;
  const input = form.elements[field];
  input?.setAttribute("aria-invalid", "true");
  input?.focus();
  return true;
}
