// The live page's athlete: a search box over /api/athletes, the chosen athlete's setup (to
// reproduce it), and their best peak force for the optional target line.
import { $, h, setText } from "./dom.js";
import { getJSON, query } from "./net.js";

const found = new Map(); // name → athlete, from the last search

function setupText(setup) {
  if (!setup) return "";
  const parts = [
    setup.bar_height_cm != null && `bar ${setup.bar_height_cm} cm`,
    setup.knee_angle_deg != null && `knee ${setup.knee_angle_deg}°`,
    setup.hip_angle_deg != null && `hip ${setup.hip_angle_deg}°`,
    setup.grip && `grip ${setup.grip}`,
    setup.straps != null && (setup.straps ? "straps" : "no straps"),
  ].filter(Boolean);
  return parts.length ? `Setup: ${parts.join(", ")}` : "";
}

export function athletePicker(onChosen) {
  const input = $("#athlete");
  let chosen = null;
  const choose = async () => {
    const athlete = found.get(input.value.trim()) ?? null;
    if (athlete?.id === chosen?.id) return;
    chosen = athlete;
    setText("#athlete-setup", athlete ? setupText(athlete.setup) || "Setup: not recorded" : "");
    let best = null;
    if (athlete) {
      const trend = (await getJSON(`/api/athletes/${athlete.id}/trend` + query({ metric: "peak_force_n" }))).data;
      best = trend.sessions.length ? Math.max(...trend.sessions.map((s) => s.best)) : null;
    }
    onChosen(athlete, best);
  };
  input.addEventListener("input", async () => {
    const search = input.value.trim();
    const athletes = (await getJSON("/api/athletes" + query({ search, limit: 20 }))).data;
    found.clear();
    for (const a of athletes) found.set(a.name, a);
    $("#athlete-options").replaceChildren(...athletes.map((a) => h("option", { value: a.name })));
    await choose();
  });
  return { athleteId: () => chosen?.id ?? null };
}
