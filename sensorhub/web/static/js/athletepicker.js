// The live page's athlete: a search box over /api/athletes, the chosen athlete's setup (to
// reproduce it), and their best peak force for the optional target line.
import { $, h, setText } from "./dom.js";
import { getJSON, query } from "./net.js";
import { setupText } from "./setup.js";

const found = new Map(); // name → athlete, from the last search

export function athletePicker(onChosen) {
  const input = $("#athlete");
  let chosen = null;
  const choose = async () => {
    const athlete = found.get(input.value.trim()) ?? null;
    if (athlete?.id === chosen?.id) return;
    chosen = athlete;
    setText("#athlete-setup", athlete ? setupText(athlete.setup) : "");
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
