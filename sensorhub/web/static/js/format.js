// Numbers with their units, the same everywhere. A missing value shows as an en dash.

const DASH = "–";
const NBSP = "\u00a0"; // a number never wraps away from its unit

function fixed(value, digits) {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return value.toFixed(digits);
}

export const number = (value, digits = 0) => fixed(value, digits);
export const newtons = (v) => `${fixed(v, 0)}${NBSP}N`;
export const newtonsPerSecond = (v) => `${fixed(v, 0)}${NBSP}N/s`;
export const newtonSeconds = (v) => `${fixed(v, 1)}${NBSP}N·s`;
export const perKg = (v) => `${fixed(v, 1)}${NBSP}N/kg`;
export const percent = (v, digits = 1) => `${fixed(v, digits)}${NBSP}%`;
export const celsius = (v) => `${fixed(v, 2)}${NBSP}°C`;
export const gee = (v) => `${fixed(v, 3)}${NBSP}g`;
export const seconds = (v, digits = 3) => `${fixed(v, digits)}${NBSP}s`;
export const kilograms = (v) => `${fixed(v, 1)}${NBSP}kg`;
export const hertz = (v) => `${fixed(v, 0)}${NBSP}Hz`;

export function asymmetry(pct) {
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return DASH;
  const side = Math.abs(pct) < 0.05 ? "even" : pct > 0 ? "R stronger" : "L stronger";
  return `${fixed(pct, 1)}${NBSP}% (${side})`;
}

export function clock(elapsedSeconds) {
  if (!Number.isFinite(elapsedSeconds) || elapsedSeconds < 0) return "0:00.0";
  const minutes = Math.floor(elapsedSeconds / 60);
  const rest = elapsedSeconds - minutes * 60;
  return `${minutes}:${rest.toFixed(1).padStart(4, "0")}`;
}

export function dateTime(iso) {
  if (!iso) return DASH;
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function timeOfDay(date = new Date()) {
  return date.toTimeString().slice(0, 8);
}
