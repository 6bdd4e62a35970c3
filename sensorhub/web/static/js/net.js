// JSON over fetch; API errors ({"status":"error","message"}) become thrown ApiErrors.
import { askForToken, authHeaders, storedToken } from "./auth.js";

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function call(method, url, body, mayAsk = true) {
  const token = storedToken();
  const init = { method, headers: { Accept: "application/json", ...authHeaders(token) } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  // Auth is on and we have no (valid) token: ask once, then try again with it.
  if (response.status === 401 && mayAsk && await askForToken(token)) return call(method, url, body, false);
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const message = data?.message ?? `${method} ${url}: HTTP ${response.status}`;
    throw new ApiError(response.status, message, data?.code);
  }
  return data;
}

export const getJSON = (url) => call("GET", url);
export const postJSON = (url, body = {}) => call("POST", url, body);
export const patchJSON = (url, body) => call("PATCH", url, body);
export const putJSON = (url, body) => call("PUT", url, body);
export const deleteJSON = (url) => call("DELETE", url);

export function query(params) {
  const entries = Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== "");
  return entries.length ? "?" + new URLSearchParams(entries).toString() : "";
}
