// An athlete's tests on their page, newest first: what each is, its headline number and flags,
// and whether it counts in their trends and the squad (exclude it with a reason, or count it
// again).
import { $, h, setText } from "./dom.js";
import { exclusionControl } from "./exclusion.js";
import { flagList } from "./flags.js";
import * as fmt from "./format.js";
import { TEST_TYPES, headline } from "./jumps.js";
import { getJSON, query } from "./net.js";

const SHOWN = 200; // the newest ones; the Tests page pages through all of them

function trialRow(test, changed) {
  const s = test.summary;
  const failed = (error) => setText("#trials-status", error.message);
  const excluded = test.excluded_reason != null;
  return h("tr", { dataset: { testId: test.id, excluded: excluded ? "yes" : "no" }, class: excluded ? "excluded" : null },
    h("td", {}, h("a", { href: `/tests/${test.id}` }, fmt.dateTime(test.started_at))),
    h("td", {}, TEST_TYPES[s?.test_type ?? "imtp"]),
    h("td", { class: "n" }, headline(s)),
    h("td", {}, s ? flagList(s.flags) : h("span", { class: "muted" }, "no analysis")),
    h("td", {}, exclusionControl(test, changed, failed)));
}

// Lists the athlete's tests; `changed` runs after a trial is excluded or counted again.
export async function showTrials(athleteId, changed) {
  const { data } = await getJSON("/api/tests" + query({ athlete_id: athleteId, limit: SHOWN }));
  setText("#trials-status", data.length === SHOWN ? `The newest ${SHOWN} tests; the Tests page lists all.` : "");
  const rows = data.map((test) => trialRow(test, changed));
  $("#trials tbody").replaceChildren(...(rows.length ? rows : [h("tr", {}, h("td", { colspan: "5", class: "muted" }, "No tests yet: run one on the Live page or import a recording below."))]));
}
