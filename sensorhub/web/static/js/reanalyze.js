// The re-analysis form ↔ POST /api/tests/{id}/analysis parameters.

export const DEFAULTS = { weigh_start_s: null, weigh_duration_s: 1, onset_method: "sd", sd_multiplier: 5, threshold_n: 50, body_weight_pct: 5, onset_time_s: null };

export function fillForm(form, params) {
  for (const [name, value] of Object.entries({ ...DEFAULTS, ...params })) {
    if (form.elements[name]) form.elements[name].value = value ?? "";
  }
  showMethodFields(form);
}

export function showMethodFields(form) {
  const method = form.elements.onset_method.value;
  for (const label of form.querySelectorAll("[data-for]")) {
    label.hidden = label.dataset.for !== method;
  }
}

export function readForm(form) {
  const f = form.elements;
  const num = (name) => (f[name].value.trim() === "" ? null : Number(f[name].value));
  const body = {
    weigh_start_s: num("weigh_start_s"),
    weigh_duration_s: num("weigh_duration_s") ?? DEFAULTS.weigh_duration_s,
    onset_method: f.onset_method.value,
  };
  if (body.onset_method === "sd") body.sd_multiplier = num("sd_multiplier") ?? DEFAULTS.sd_multiplier;
  if (body.onset_method === "fixed") body.threshold_n = num("threshold_n") ?? DEFAULTS.threshold_n;
  if (body.onset_method === "bw_pct") body.body_weight_pct = num("body_weight_pct") ?? DEFAULTS.body_weight_pct;
  if (body.onset_method === "manual") body.onset_time_s = num("onset_time_s");
  return body;
}
