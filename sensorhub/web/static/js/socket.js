// The live connection: reconnects by itself and shows its state in the header.
import { io } from "../vendor/socket.io-client-4.8.4/socket.io.esm.min.js";
import { askForToken, storedToken } from "./auth.js";
import { $ } from "./dom.js";

// Show "disconnected" only after this long: a page reload or a quick blip is not news.
const OFFLINE_BANNER_DELAY_MS = 800;

export function connectLive({ onConnect = () => {} } = {}) {
  let sentToken = null;
  const socket = io({
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
    auth: (send) => send({ token: (sentToken = storedToken()) }),  // on every (re)connect
  });
  const badge = $("#conn");
  const banner = $("#offline");
  let bannerTimer = null;

  const show = (state, text) => {
    badge.dataset.state = state;
    badge.textContent = text;
    document.body.dataset.connection = state;
  };

  socket.on("connect", () => {
    clearTimeout(bannerTimer);
    banner.hidden = true;
    show("connected", "Live");
    onConnect(socket);
  });
  // Refused for want of a token: the client does not retry by itself; ask, then connect.
  socket.on("connect_error", async (error) => {
    if (error.data?.code === "unauthorized" && await askForToken(sentToken)) socket.connect();
  });
  socket.on("disconnect", () => {
    show("disconnected", "Disconnected");
    bannerTimer = setTimeout(() => { banner.hidden = false; }, OFFLINE_BANNER_DELAY_MS);
  });
  socket.io.on("reconnect_attempt", (attempt) => {
    show("disconnected", `Reconnecting (${attempt})…`);
    banner.textContent = `Disconnected from sensorhub — reconnecting (attempt ${attempt})… ` +
      "Live data resumes by itself; tests already stored are safe.";
  });
  return socket;
}
