// The share-link page: a read-only grid that follows the team's edits live.
// It listens on the map's socket with ?share=<token> and applies each `change` to its copy of
// the document with the editor's own op engine (../editor/state.js), in revision order; a
// change it cannot apply that way (comments, personas, links, a revision gap, an op that does
// not fit) reloads the shared document instead. When the socket is unavailable it polls the
// shared document, so the view stays current either way; with settings.EDITOR_TRANSPORT
// "rest" (data-transport) it only polls.
// When the link stops working the server closes the socket (issue 24): 4403 (or 4401) the link
// was revoked or has expired, 4404 the map was deleted; the page says which, and what to do.
// A reload that answers 404 (polling) cannot tell: the template's words cover both.
import { Store, configure } from "../editor/state.js";
import { _ } from "../editor/i18n.js";
import { api, bell, el, labels, revalidating, uuid4, when } from "./common.js";
import { itemLabel, renderGrid } from "./grid.js";

const APPLIED_HERE = /^(map|stage|lane|item)\./; // what state.js changes in the document
// The server's item schema (maps/item_schema.py), before the store applies any op.
configure(JSON.parse(document.getElementById("jm-item-schema").textContent));

const root = document.getElementById("jm-share");
const text = labels();
const status = document.getElementById("jm-live");
let revision = -1;
let socket = null;
let pollTimer = null;
let refreshing = null;
let doc = null;
let store = null;
let target = null;
const fetchShared = revalidating(root.dataset.api);

function setLive(state) {
  status.dataset.state = state;
  status.textContent = text[state] || state;
}

async function refresh() {
  if (refreshing) return refreshing;
  refreshing = (async () => {
    try {
      const fresh = await fetchShared(); // null: 304, the copy here is current
      if (fresh && fresh.revision !== revision) {
        doc = fresh;
        store = new Store(fresh);
        draw(fresh.revision);
      }
    } catch (error) {
      if (error.status === 404) gone();
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

function draw(upto) {
  // A polite word that the map changed (the grid itself is not a live region: it would be
  // read out whole on every change).
  if (revision >= 0 && upto > revision) document.getElementById("jm-share-status").textContent = text.updated;
  revision = upto;
  document.getElementById("jm-share-title").textContent = doc.title;
  document.getElementById("jm-share-objective").textContent = doc.objective || "";
  renderGrid(document.getElementById("jm-grid"), doc, null, { pickable: true });
  drawThreads();
  root.dataset.revision = String(revision);
}

// A `change` from the socket: applied here when it is the next revision and only touches what
// the grid shows; anything else reloads the document.
function applyChange(message) {
  if (!store || message.revision <= revision) return;
  const next = message.revision === revision + 1;
  if (next && message.ops.every((op) => APPLIED_HERE.test(op.type))) {
    try {
      store.applyRemote(message);
      doc = store.doc;
      draw(message.revision);
      return;
    } catch {
      // Our copy drifted from the server's: reload it below.
    }
  }
  // A reload already under way may predate this change: reload again after it if so.
  refresh().then(() => { if (revision < message.revision) refresh(); });
}

// why: "link" (revoked or expired), "deleted" (the map), or null (a 404: either).
function gone(why = null) {
  clearInterval(pollTimer);
  if (socket) socket.close();
  document.getElementById("jm-grid").replaceChildren();
  document.getElementById("jm-share-objective").textContent = "";
  document.getElementById("jm-share-comments").hidden = true;
  for (const button of root.querySelectorAll(".jm-sh-head .jm-sh-button")) button.remove();
  if (why === "link") {
    document.getElementById("jm-gone-title").textContent = _("This link was revoked or has expired.");
    document.getElementById("jm-gone-detail").textContent = _("To see the map again, ask the person who shared it with you for a new link.");
  } else if (why === "deleted") {
    document.getElementById("jm-gone-title").textContent = _("This map was deleted.");
    document.getElementById("jm-gone-detail").textContent = _("Nobody can open it any more, with this link or any other.");
  }
  document.getElementById("jm-gone").hidden = false;
  status.hidden = true;
  root.dataset.gone = why || "1";
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
    if (message.type === "change") applyChange(message);
    else if (message.type === "resync" || (message.type === "welcome" && message.revision !== revision)) {
      refresh();
    }
  });
  socket.addEventListener("close", (event) => {
    socket = null;
    if (root.dataset.gone) return;
    // Refused or closed for good: no reconnecting. Said by the close code (its reason, when
    // there is one, says the same: access_removed, map_deleted).
    if (event.code === 4401 || event.code === 4403) return gone(event.reason === "map_deleted" ? "deleted" : "link");
    if (event.code === 4404) return gone("deleted");
    setLive("polling");
    poll();
    setTimeout(connect, 5000);
  });
}

// Comments: everyone with the link reads them; a commenter link lets a signed-in visitor write.
function targetLabel() {
  if (!target) return text.pick;
  if (target.type === "stage") return `${text.on} ${doc.stages.find((s) => s.id === target.id)?.name || ""}`;
  const item = doc.items.find((i) => i.id === target.id);
  return `${text.on} ${item ? itemLabel(item) : ""}`;
}

function drawThreads() {
  const list = document.getElementById("jm-share-threads");
  const form = document.getElementById("jm-share-comment");
  form.hidden = !doc.can_comment;
  document.getElementById("jm-share-target").textContent = targetLabel();
  const roots = doc.comments.filter((c) => !c.parent && !c.resolved);
  list.replaceChildren(
    ...roots.map((root) => {
      const where = root.item ? doc.items.find((i) => i.id === root.item) : doc.stages.find((s) => s.id === root.stage);
      const thread = el("li", { class: "jm-sh-entry" },
        el("div", { class: "jm-sh-muted" }, where ? where.name || itemLabel(where) : ""));
      for (const c of [root, ...doc.comments.filter((r) => r.parent === root.id)]) {
        thread.append(el("div", { class: "jm-sh-comment" },
          el("strong", {}, c.author.name || c.author.username || "?"), ` · ${when(c.created)}`,
          el("p", {}, c.text)));
      }
      return thread;
    }),
  );
  if (!roots.length) list.append(el("li", { class: "jm-sh-muted" }, text.none));
}

function pick(event) {
  const node = event.target.closest("[data-id]");
  if (!node || !doc) return;
  target = { type: node.matches("th") ? "stage" : "item", id: node.dataset.id };
  document.getElementById("jm-share-target").textContent = targetLabel();
  return node;
}
document.getElementById("jm-grid").addEventListener("click", pick);
// A card is a button for keyboards too: Enter or Space picks it and moves to the comment box.
document.getElementById("jm-grid").addEventListener("keydown", (event) => {
  if (event.key !== "Enter" && event.key !== " ") return;
  if (!pick(event)) return;
  event.preventDefault();
  const input = document.getElementById("jm-share-text");
  if (!document.getElementById("jm-share-comment").hidden) input.focus();
});
document.getElementById("jm-share-comment").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = document.getElementById("jm-share-text");
  const value = input.value.trim().normalize("NFC");
  if (!value || !target) return;
  const op = { type: "comment.create", id: uuid4(), [target.type]: target.id, text: value };
  try {
    await api(`/api/share/${encodeURIComponent(root.dataset.token)}/changes/`, {
      method: "POST",
      body: { id: uuid4(), ops: [op] },
    });
    input.value = "";
    refresh();
  } catch (error) {
    document.getElementById("jm-share-target").textContent = error.message;
  }
});
document.getElementById("jm-print")?.addEventListener("click", () => window.print());
await refresh();
if (!root.dataset.gone) {
  poll();
  if (root.dataset.transport === "rest") setLive("polling");
  else connect();
}
bell();
