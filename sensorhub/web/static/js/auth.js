// The API token, for a server with auth on (docs/security.md): asked for once, when the server
// first answers 401, then kept in this browser (localStorage) and sent on every request and
// socket connect. A server with auth off never asks, and nothing is stored.

import { h } from "./dom.js";

const KEY = "sensorhub.apiToken";
const BLOB_LIFETIME_MS = 60_000;
let asking = null;
let declined = false;

export const storedToken = () => localStorage.getItem(KEY);

export function authHeaders(token = storedToken()) {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// Called when the server refused ``refused`` (the token sent, or null); resolves to whether
// there is a new token to try. One prompt however many requests were refused at once, and
// none when another request already got a new token. A refused token is forgotten, so a
// changed token is asked for again.
export function askForToken(refused) {
  const current = storedToken();
  if (current && current !== refused) return Promise.resolve(true);
  if (declined) return Promise.resolve(false);
  asking ??= Promise.resolve().then(() => {
    localStorage.removeItem(KEY);
    const given = window.prompt("This sensorhub needs its API token (ask whoever runs it):");
    const token = given?.trim();
    if (!token) {
      declined = true;  // until the page is reloaded: no prompt after every refused request
      return false;
    }
    localStorage.setItem(KEY, token);
    return true;
  }).finally(() => { asking = null; });
  return asking;
}

// A plain link cannot send a header: with a token, "Download CSV" links fetch the file
// with it and hand the browser the result.
document.addEventListener("click", async (event) => {
  const link = event.target.closest?.("a[download]");
  if (!link || !storedToken() || !link.href.startsWith(`${location.origin}/api/`)) return;
  event.preventDefault();
  const response = await fetch(link.href, { headers: authHeaders() });
  if (!response.ok) return;
  const disposition = response.headers.get("content-disposition") ?? "";
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? "download.csv";
  const url = URL.createObjectURL(await response.blob());
  h("a", { href: url, download: name }).click();
  // The download reads the blob after this handler returns; free it well after.
  setTimeout(() => URL.revokeObjectURL(url), BLOB_LIFETIME_MS);
});
