// The dashboard's alerts panel: the newest alerts (firing ones marked), polled, and the
// webhook's test button. The server decides what fires; this page only shows it.
import { $, h, setText } from "./dom.js";
import { dateTime, timeOfDay } from "./format.js";
import { getJSON, postJSON } from "./net.js";

const POLL_MS = 5000;  // the server checks its rules every 10 s by default
const RULES = {
  device_silent: "Device silent",
  windows_poor: "Signal poor",
  stress_sustained: "Sustained stress",
  storage_unavailable: "Storage unavailable",
};

function when(alert) {
  const start = dateTime(alert.started_at);
  if (!alert.ended_at) return `since ${start}`;
  return `${start} – ${timeOfDay(new Date(alert.ended_at))}`;
}

function row(alert) {
  return h("tr", { dataset: { firing: alert.firing ? "yes" : "no" } },
    h("td", {}, h("span", { class: "state", dataset: { state: alert.firing ? "alert" : "ended" } },
      alert.firing ? "firing" : "ended")),
    h("td", {},
      h("div", { class: "alert-rule" }, `${RULES[alert.rule] ?? alert.rule} · ${alert.subject}`),
      h("div", { class: "muted" }, `${alert.detail}; ${when(alert)}`)));
}

async function refresh() {
  try {
    const answer = await getJSON("/api/alerts?limit=20");
    $("#alerts tbody").replaceChildren(...answer.data.map(row));
    setText("#alerts-firing", answer.firing ? `${answer.firing} firing` : "none firing");
    $("#alerts-firing").dataset.state = answer.firing ? "alert" : "idle";
  } catch (error) {
    setText("#alerts-firing", `cannot read alerts: ${error.message}`);
  }
}

async function testWebhook() {
  const note = $("#webhook-result");
  note.hidden = false;
  note.textContent = "Sending…";
  try {
    const { data } = await postJSON("/api/alerts/test-webhook");
    note.className = data.delivered ? "notice" : "notice error";
    note.textContent = data.delivered
      ? `Webhook took the test (HTTP ${data.http_status}).`
      : `Not delivered: ${data.error}`;
  } catch (error) {
    note.className = "notice error";
    note.textContent = error.message;
  }
}

$("#webhook-test").addEventListener("click", testWebhook);
refresh();
setInterval(refresh, POLL_MS);
