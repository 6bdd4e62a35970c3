// A short, newest-first log of what happened on the page.
import { h } from "./dom.js";
import { timeOfDay } from "./format.js";

const MAX_ENTRIES = 60;

export function eventLog(list) {
  return function log(text, kind = "info") {
    list.prepend(h("li", { class: kind }, h("time", {}, timeOfDay()), text));
    while (list.children.length > MAX_ENTRIES) list.lastElementChild.remove();
  };
}
