// The squad view: pick a group (each listed with its number of athletes) and a test type; the
// group's latest values in one table, sortable by any column, with z-scores and a CSV. The
// table scrolls sideways inside its own box, with a hint whenever columns are out of view.
import { $, h, setText } from "./dom.js";
import * as fmt from "./format.js";
import { LABELS as JUMP_LABELS, TEST_TYPES } from "./jumps.js";
import { getJSON, query } from "./net.js";

// metric -> [heading, formatter with its unit]; the API sends the columns (data.units).
const COLUMNS = {
  peak_force_n: ["Peak force", fmt.newtons],
  relative_peak_force_n_per_kg: ["Relative peak force", fmt.perKg],
  rfd_0_200_n_per_s: ["RFD 0–200 ms", fmt.newtonsPerSecond],
  asymmetry_pct: ["Asymmetry (side stronger)", fmt.asymmetry],
  ...JUMP_LABELS,
};
const column = (metric) => COLUMNS[metric] ?? [metric, (v) => fmt.number(v, 3)];

const view = { rows: [], metrics: [], sort: { key: "name", descending: false } };

const value = (row, key) => (key === "name" || key === "date" ? row[key] : row.values[key]);

function sortButton(key, label) {
  return h("button", { type: "button", dataset: { key }, onclick: () => {
    view.sort = { key, descending: view.sort.key === key ? !view.sort.descending : key !== "name" };
    render();
  } }, label);
}

function renderHead() {
  $("#squad thead").replaceChildren(h("tr", {},
    h("th", {}, sortButton("name", "Athlete")),
    h("th", {}, sortButton("date", "Date")),
    ...view.metrics.flatMap((m) => [h("th", { class: "n" }, sortButton(m, column(m)[0])), h("th", { class: "n", title: "standard deviations from the group's mean" }, "z")])));
}

function render() {
  const { key, descending } = view.sort;
  const sorted = [...view.rows].sort((a, b) => {
    const [x, y] = [value(a, key), value(b, key)];
    if (x == null) return 1;
    if (y == null) return -1;
    const order = x < y ? -1 : x > y ? 1 : 0;
    return descending ? -order : order;
  });
  $("#squad tbody").replaceChildren(...sorted.map((row) => h("tr", {},
    h("td", {}, h("a", { href: `/athletes?id=${row.athlete_id}` }, row.name)),
    h("td", {}, row.date ?? "–"),
    ...view.metrics.flatMap((m) => [h("td", { class: "n" }, column(m)[1](row.values[m])), h("td", { class: "n" }, fmt.number(row.z[m], 2))]),
  )));
  showScrollHint();
}

function showScrollHint() {
  const box = $("#squad-box");
  $("#scroll-hint").hidden = box.scrollWidth <= box.clientWidth + 1;
}

function empty(...content) {
  const box = $("#squad-empty");
  box.hidden = content.length === 0;
  box.replaceChildren(...content);
}

const athletesLink = () => h("a", { href: "/athletes" }, "Athletes page");

function about(test) {
  const session = test === "imtp" ? "the day's best trial, 5 SD onset" : `the best rep of the day's best ${TEST_TYPES[test]} test`;
  setText("#squad-about", `Latest session of each athlete (${session}); excluded trials do not count. z: standard deviations from the group's mean, over the athletes with a value. Click a heading to sort.`);
}

async function show(group, test) {
  const method = test === "imtp" ? {} : { method: test };
  const path = `/api/groups/${encodeURIComponent(group)}/squad`;
  const data = (await getJSON(path + query(method))).data;
  view.metrics = Object.keys(data.units);
  view.rows = data.athletes;
  const link = $("#csv-link");
  link.href = `${path}.csv` + query(method);
  link.hidden = false;
  about(test);
  renderHead();
  render();
  const counted = data.athletes.filter((row) => row.date !== null).length;
  if (counted === 0) {
    const n = data.athletes.length;
    empty(`None of the ${n} athlete${n === 1 ? "" : "s"} in ${group} has a counted ${TEST_TYPES[test]} test yet. Run one on the `,
      h("a", { href: "/" }, "Live page"), " or import a recording on an athlete's page; or choose another test above.");
  } else empty();
}

function clearTable() {
  view.rows = [];
  $("#squad thead").replaceChildren();
  $("#squad tbody").replaceChildren();
  $("#csv-link").hidden = true;
  setText("#squad-about", "");
  showScrollHint();
}

// The group and test in the address (so a link keeps them), then the view of them.
async function choose(groups) {
  const form = $("#group-form");
  const group = form.elements.group.value;
  const test = form.elements.test.value;
  const url = new URL(location.href);
  url.search = query({ group, test: test === "imtp" ? null : test });
  history.replaceState(null, "", url);
  clearTable();
  if (!groups.length) {
    empty("No groups yet. Give athletes a group on the ", athletesLink(), " (New athlete, or Edit → Groups); each group then shows here with its number of athletes.");
  } else if (!group) {
    empty("Choose a group above to compare its athletes' latest results.");
  } else {
    await show(group, test);
  }
}

async function main() {
  const form = $("#group-form");
  const fail = (error) => empty(error.message);
  const groups = (await getJSON("/api/groups")).data;
  const params = new URLSearchParams(location.search);
  const asked = params.get("group");
  const known = groups.some((g) => g.name === asked);
  form.elements.group.append(...groups.map((g) => h("option", { value: g.name }, `${g.name} (${g.athletes} athlete${g.athletes === 1 ? "" : "s"})`)));
  form.elements.test.replaceChildren(...Object.entries(TEST_TYPES).map(([type, label]) => h("option", { value: type }, label)));
  form.elements.test.value = params.get("test") in TEST_TYPES ? params.get("test") : "imtp";
  form.elements.group.value = known ? asked : "";
  form.addEventListener("change", () => choose(groups).catch(fail));
  form.addEventListener("submit", (event) => event.preventDefault());
  window.addEventListener("resize", showScrollHint);
  if (asked && !known) {
    empty(`No group “${asked}”: no athlete is in it. A group exists while at least one athlete has it: choose one above, or give athletes this group on the `, athletesLink(), ".");
    return;
  }
  await choose(groups);
}

main().catch((error) => empty(error.message));
