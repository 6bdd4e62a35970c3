// Connected devices and clients, from GET /api/status (polled: connections have no event).
import { h } from "./dom.js";

export function renderDevices(table, counts, status, selected, onSelect) {
  const devices = [...status.devices];
  if (selected !== null && !devices.some((d) => d.device_id === selected)) {
    devices.unshift({ device_id: selected, state: status.state, esp_connected: status.esp_connected });
  }
  table.tBodies[0].replaceChildren(...devices.map((d) => h("tr", {
    class: "link",
    dataset: { device: d.device_id },
    "aria-selected": d.device_id === selected ? "true" : "false",
    onclick: () => onSelect(d.device_id),
  },
  h("td", {}, d.device_id === selected ? h("strong", {}, d.device_id) : d.device_id),
  h("td", {}, d.esp_connected ? "● online" : "○ offline"),
  h("td", {}, d.state))));
  const c = status.clients;
  counts.textContent = `Clients: ${c.esp} esp, ${c.browser} dashboard${c.browser === 1 ? "" : "s"}, ` +
    `${c.flutter} app${c.flutter === 1 ? "" : "s"}, ${c.other} other`;
}
