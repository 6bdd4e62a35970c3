// The tests page: the history (/tests) or one test (/tests/{id} or /tests?id=).
import { $, setText } from "./dom.js";
import { History } from "./history.js";
import { showOverlay } from "./overlay.js";
import { showTest } from "./testview.js";

const params = new URLSearchParams(location.search);
const id = location.pathname.match(/^\/tests\/(\d+)$/)?.[1] ?? params.get("id");

if (id) {
  showTest(Number(id));
} else {
  $("#list-view").hidden = false;
  const button = $("#overlay-button");
  const history = new History((selected) => {
    button.disabled = selected.size < 2;
    button.textContent = `Overlay selected (${selected.size})`;
  });
  button.addEventListener("click", () => showOverlay([...history.selected.values()]));
  if (params.get("deleted")) {
    $("#list-notice").hidden = false;
    setText("#list-notice", `Test #${params.get("deleted")} was deleted.`);
  }
  history.reload();
  history.loadAthletes();
}
