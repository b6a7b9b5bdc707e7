// The share-link page: a read-only grid that follows the team's edits live.
// It listens on the map's socket with ?share=<token>; when the socket is unavailable it
// polls the shared document instead, so the view stays current either way.
import { api, bell, labels } from "./common.js";
import { renderGrid } from "./grid.js";

const root = document.getElementById("jm-share");
const text = labels();
const status = document.getElementById("jm-live");
let revision = -1;
let socket = null;
let pollTimer = null;
let refreshing = null;

function setLive(state) {
  status.dataset.state = state;
  status.textContent = text[state] || state;
}

async function refresh() {
  if (refreshing) return refreshing;
  refreshing = (async () => {
    try {
      const doc = await api(root.dataset.api);
      if (doc.revision !== revision) {
        revision = doc.revision;
        document.getElementById("jm-share-title").textContent = doc.title;
        document.getElementById("jm-share-objective").textContent = doc.objective || "";
        renderGrid(document.getElementById("jm-grid"), doc);
        root.dataset.revision = String(revision);
      }
    } catch (error) {
      if (error.status === 404) gone();
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

function gone() {
  clearInterval(pollTimer);
  if (socket) socket.close();
  document.getElementById("jm-grid").replaceChildren();
  document.getElementById("jm-gone").hidden = false;
  status.hidden = true;
  root.dataset.gone = "1";
}

function poll() {
  clearInterval(pollTimer);
  pollTimer = setInterval(refresh, 4000);
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const url = `${scheme}://${location.host}/ws/maps/${root.dataset.map}/?share=${encodeURIComponent(root.dataset.token)}&since=${Math.max(revision, 0)}`;
  try {
    socket = new WebSocket(url);
  } catch {
    poll();
    return;
  }
  socket.addEventListener("open", () => {
    setLive("live");
    clearInterval(pollTimer);
    pollTimer = setInterval(refresh, 30000); // a slow safety net while the socket is live
  });
  socket.addEventListener("message", (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.type === "change" || message.type === "resync" || message.type === "welcome") {
      if (message.type !== "welcome" || message.revision !== revision) refresh();
    }
  });
  socket.addEventListener("close", (event) => {
    socket = null;
    if (root.dataset.gone) return;
    if (event.code === 4401 || event.code === 4403 || event.code === 4404) {
      refresh(); // revoked or expired: the document call answers 404 and the page says so
      return;
    }
    setLive("polling");
    poll();
    setTimeout(connect, 5000);
  });
}

document.getElementById("jm-print")?.addEventListener("click", () => window.print());
await refresh();
if (!root.dataset.gone) {
  poll();
  connect();
}
bell();
