// The test history: filter by athlete or plate, page back, tick tests for the overlay.
import { $, h } from "./dom.js";
import { flagList, testFlags } from "./flags.js";
import * as fmt from "./format.js";
import { getJSON, query } from "./net.js";

const PAGE_SIZE = 50;

// A test without results: still recording, or not analysed (why, in the tooltip).
function unanalysed(test) {
  if (test.state === "running" || test.state === "flushing") return h("span", { class: "muted" }, test.state);
  return h("span", { class: "muted", title: test.analysis_error ?? "" }, "Not analysed");
}

export class History {
  selected = new Map(); // id → test
  #nextBefore = null;

  constructor(onSelectionChange) {
    this.onSelectionChange = onSelectionChange;
    this.form = $("#filter");
    this.body = $("#history").tBodies[0];
    const params = new URLSearchParams(location.search);
    this.form.elements.athlete.value = params.get("athlete") ?? "";
    this.form.elements.device_id.value = params.get("device_id") ?? "";
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.reload();
    });
    this.form.addEventListener("reset", () => setTimeout(() => this.reload())); // after the reset
    $("#more").addEventListener("click", () => this.#load(this.#nextBefore));
  }

  filter() {
    const f = this.form.elements;
    return { athlete: f.athlete.value.trim(), device_id: f.device_id.value.trim() };
  }

  async reload() {
    const url = new URL(location.href);
    url.search = query(this.filter());
    history.replaceState(null, "", url);
    this.body.replaceChildren();
    this.selected.clear();
    this.onSelectionChange(this.selected);
    await this.#load(null);
  }

  async loadAthletes() {
    const { data } = await getJSON("/api/tests?limit=1000");
    const names = [...new Set(data.map((t) => t.athlete).filter(Boolean))].sort();
    $("#athletes").replaceChildren(...names.map((name) => h("option", { value: name })));
  }

  async #load(beforeId) {
    // Part of a name finds it, any case: "ben" finds Benjamin.
    const { athlete, device_id } = this.filter();
    const page = await getJSON(`/api/tests${query({ search: athlete, device_id, before_id: beforeId, limit: PAGE_SIZE })}`);
    this.body.append(...page.data.map((test) => this.#row(test)));
    this.#nextBefore = page.next_before_id;
    $("#more").hidden = page.next_before_id === null;
    const empty = this.body.children.length === 0;
    const filtered = Object.values(this.filter()).some(Boolean);
    $("#history-empty").hidden = !empty || filtered;
    $("#history-none-found").hidden = !empty || !filtered;
  }

  #row(test) {
    const s = test.summary ?? {};
    const open = () => location.assign(`/tests/${test.id}`);
    const tick = h("input", {
      type: "checkbox", "aria-label": `Overlay test ${test.id}`,
      onclick: (e) => e.stopPropagation(),
      onchange: (e) => {
        if (e.currentTarget.checked) this.selected.set(test.id, test);
        else this.selected.delete(test.id);
        this.onSelectionChange(this.selected);
      },
    });
    return h("tr", { class: "link", dataset: { testId: test.id }, onclick: open },
      h("td", {}, tick),
      h("td", {}, h("a", { href: `/tests/${test.id}`, onclick: (e) => e.stopPropagation() }, fmt.dateTime(test.started_at))),
      h("td", {}, test.device_id),
      h("td", {}, test.athlete ?? "–"),
      h("td", { class: "n" }, fmt.number(test.duration_s, 1)),
      h("td", { class: "n" }, String(test.sample_count)),
      h("td", { class: "n" }, fmt.number(s.peak_force_n)),
      h("td", { class: "n" }, fmt.number(s.rfd_0_200_n_per_s)),
      h("td", {}, test.summary ? flagList(testFlags(test)) : unanalysed(test)));
  }
}
