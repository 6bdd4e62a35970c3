// Study session controls: start/stop for the selected wearable, phases and labels, export.
import { $, h, setText } from "./dom.js";
import * as fmt from "./format.js";
import { getJSON, postJSON, query } from "./net.js";

const BASE = "/api/wearable/sessions";

export class StudyPanel {
  constructor(onChange) {
    this.session = null; // the selected wearable's running (or last) session, with phases
    this.onChange = onChange;
    $("#study-start").addEventListener("click", () => this.act(() => this.start()));
    $("#study-stop").addEventListener("click", () => this.act(() => postJSON(`${BASE}/${this.session.id}/stop`)));
    for (const button of document.querySelectorAll("[data-phase]")) {
      button.addEventListener("click", () => this.act(() => this.phase(button.dataset.phase)));
    }
    $("#hrv5-load").addEventListener("click", () => this.loadHrv().catch((error) => {
      setText("#hrv5-error", error.message);
    }));
    $("#label-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.act(() => postJSON(`${BASE}/${this.session.id}/labels`,
        { name: $("#label-name").value, value: $("#label-value").value }));
    });
  }

  phases() { return this.session?.phases ?? []; }

  async load(deviceId) {
    this.device = deviceId;
    const { data } = await getJSON(`${BASE}${query({ device_id: deviceId, limit: 1 })}`);
    await this.show(data[0] ? data[0].id : null);
  }

  async show(id) {
    this.session = id == null ? null : (await getJSON(`${BASE}/${id}`)).data;
    this.render();
    this.onChange();
  }

  // A `study` event: refresh when it concerns the wearable shown.
  update(event) {
    if (event.session.device_id === this.device) this.show(event.session.id).catch(() => {});
  }

  start() {
    return postJSON(BASE, { device_id: this.device, participant: $("#participant").value });
  }

  phase(phase) {
    const name = phase === "custom" ? $("#custom-phase").value || "custom" : undefined;
    return postJSON(`${BASE}/${this.session.id}/phases`, { phase, name });
  }

  async act(call) {
    setText("#study-error", "");
    try { await call(); } catch (error) { setText("#study-error", error.message); }
  }

  // Short-term HRV per phase and 5-minute block (computed on request: the whole session's signals).
  async loadHrv() {
    setText("#hrv5-error", "");
    const { data } = await getJSON(`${BASE}/${this.session.id}/hrv`);
    const cell = (v, digits) => h("td", { class: "n" }, fmt.number(v, digits));
    $("#hrv5").tBodies[0].replaceChildren(...data.map((r) => h("tr", {},
      h("td", {}, r.span === "phase" ? (r.custom_name ?? r.phase)
        : `5 min from ${fmt.timeOfDay(new Date(r.start))}`),
      h("td", {}, r.quality === "good" ? "good" : `poor (${r.reason})`),
      cell(r.hr_bpm, 1), cell(r.sdnn_ms, 1), cell(r.rmssd_ms, 1), cell(r.pnn50, 1),
      cell(r.lf_ms2, 0), cell(r.hf_ms2, 0), cell(r.lf_hf, 2),
      h("td", { class: "n" }, r.corrected_beats == null ? "–" : fmt.percent(r.corrected_beats * 100)))));
    $("#hrv5").hidden = data.length === 0;
    if (!data.length) setText("#hrv5-error", "No phases or whole 5-minute blocks yet.");
  }

  render() {
    const s = this.session;
    $("#hrv5-load").disabled = !s;
    const running = Boolean(s && !s.stopped_at);
    $("#study-start").disabled = running || !this.device;
    $("#participant").disabled = running;
    $("#study-stop").disabled = !running;
    for (const b of document.querySelectorAll("[data-phase], #label-form button")) b.disabled = !running;
    const current = running ? this.phases().at(-1) : null;
    setText("#study-state", !s ? "No session yet." : running
      ? `Recording ${s.participant} since ${fmt.timeOfDay(new Date(s.started_at * 1000))}`
      : `Last session: ${s.participant}, stopped ${fmt.timeOfDay(new Date(s.stopped_at * 1000))}`);
    setText("#phase-now", current ? (current.name ?? current.phase) : "–");
    $("#phase-now").dataset.phase = current?.phase ?? "";
    $("#study-export").hidden = !s;
    if (s) {
      $("#study-export").href = `${BASE}/${s.id}.zip`;
      $("#study-export-parquet").href = `${BASE}/${s.id}.zip?format=parquet`;
    }
    $("#labels").replaceChildren(...(s?.labels ?? []).map((l) =>
      h("li", {}, `${fmt.timeOfDay(new Date(l.at))} ${l.name}: ${l.value}`)));
  }
}
