// The squad view: a group's latest values in one table, sortable by any column, with CSV.
import { $, h } from "./dom.js";
import { getJSON } from "./net.js";

const METRICS = ["peak_force_n", "relative_peak_force_n_per_kg", "rfd_0_200_n_per_s", "asymmetry_pct"];
let rows = [];
let sort = { key: "name", descending: false };

const value = (row, key) => (key === "name" || key === "date" ? row[key] : row.values[key]);
const num = (v, digits) => (v == null ? "–" : v.toFixed(digits));

function render() {
  const sorted = [...rows].sort((a, b) => {
    const [x, y] = [value(a, sort.key), value(b, sort.key)];
    if (x == null) return 1;
    if (y == null) return -1;
    const order = x < y ? -1 : x > y ? 1 : 0;
    return sort.descending ? -order : order;
  });
  $("#squad tbody").replaceChildren(...sorted.map((row) => h("tr", {},
    h("td", {}, h("a", { href: `/athletes?id=${row.athlete_id}` }, row.name)),
    h("td", {}, row.date ?? "–"),
    ...METRICS.flatMap((m) => [h("td", { class: "n" }, num(row.values[m], m === "rfd_0_200_n_per_s" ? 0 : 1)), h("td", { class: "n" }, num(row.z[m], 2))]),
  )));
}

async function show(group) {
  rows = (await getJSON(`/api/groups/${encodeURIComponent(group)}/squad`)).data.athletes;
  const link = $("#csv-link");
  link.href = `/api/groups/${encodeURIComponent(group)}/squad.csv`;
  link.hidden = false;
  render();
}

function main() {
  const form = $("#group-form");
  const fail = (error) => { $("#notice").hidden = false; $("#notice").textContent = error.message; };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const group = form.elements.group.value.trim();
    history.replaceState(null, "", `/squad?group=${encodeURIComponent(group)}`);
    show(group).catch(fail);
  });
  for (const button of document.querySelectorAll("#squad thead button")) {
    button.addEventListener("click", () => {
      const key = button.dataset.key;
      sort = { key, descending: sort.key === key ? !sort.descending : key !== "name" };
      render();
    });
  }
  const group = new URLSearchParams(location.search).get("group");
  if (group) {
    form.elements.group.value = group;
    show(group).catch(fail);
  }
}

main();
