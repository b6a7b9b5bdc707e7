// The live-editing transport over /ws/maps/{id}/ (docs/protocol.md, "The live socket"). Same
// interface as transport.js: createTransport(config) → { send(change) → Promise, onRemote(cb),
// start(rev), stop(), onResync(cb) }, plus onMessage(cb) (other server messages, e.g. `export`
// progress)
// and `connected` (a socket is open and welcomed: live messages are arriving).
// - Changes not yet acknowledged stay in `pending` and are sent again after a reconnect; the
//   server recognises their ids, so a change is never applied twice.
// - Remote changes are handed over strictly in revision order: a skipped revision is fetched
//   from GET …/changes/?since= before anything after it; if that fetch fails, the socket is
//   closed and reopened with ?since=, so the server sends what is missing.
// - A closed socket is reopened with backoff (0.5 s doubling up to 15 s, ±25 % jitter) and
//   ?since=<last revision>; one that has heard nothing, not even a pong, for two heartbeats is
//   treated as closed. A banner says when the connection is lost and when it is back.
// - Access (issue 24). Closed with 4401 (signed out), 4403 (access removed; on a share link:
//   the link revoked or expired) or 4404 (map deleted), with the reason as the close frame's
//   reason or, when refused at connect time, maybe none: no reconnecting, a notice says why
//   and what to do, and changes still waiting are given up (their typed text kept in the
//   notice). 4409 (role raised): reconnect at once, the new `welcome` says the role. A role
//   lowered arrives as an `error` with no id and the new `role`. onAccess listeners hear each
//   ({kind: "role", role, previous} or {kind: "ended", reason, unsaved}) first and return
//   what the person was typing that cannot be saved now, for the notice to keep.
// - The store (state.js) rebases our pending edits over remote ones, so a field with a local
//   unacknowledged value keeps showing it until the server answers.
import { showPeers, showEditing, showCursor } from "./presence.js";
import { banner, hideBanner, keep, notice } from "./banner.js";
import { _, fmt } from "./i18n.js";
import { createTransport as createRestTransport } from "./transport.js";

const HEARTBEAT_MS = 20000;
const PEER_SILENCE_MS = 60000;
const CURSOR_MS = 60;
// Closed by the server because access ended: the close code's meaning when no reason is given.
const ENDED = { 4401: "signed_out", 4403: "access_removed", 4404: "map_gone" };
const REASONS = ["signed_out", "access_removed", "map_deleted"];
const CLOSE_ROLE_CHANGED = 4409;
const RANK = { viewer: 1, commenter: 2, editor: 3, owner: 4 };
// Fields of ops that hold what someone typed: kept for them when the change cannot be saved.
const TYPED = ["title", "name", "text", "note", "description", "objective", "scenario"];

export function typedIn(ops) {
  const texts = [];
  for (const op of ops || []) {
    const fields = op.fields || op;
    for (const key of TYPED) if (typeof fields[key] === "string" && fields[key].trim()) texts.push(fields[key]);
  }
  return texts;
}

// The sign-in page, back to this page afterwards (workspaces/urls.py: LoginView, `next`).
function signInUrl(config) {
  return `${config.login || "/login/"}?next=${encodeURIComponent(location.pathname + location.search)}`;
}

function endedNotice(config, reason, unsaved) {
  const dashboard = { href: config.dashboard || "/", text: _("Back to your maps") };
  const lost = unsaved ? [fmt(_("%(count)s of your edits had not reached the server and could not be saved."), { count: unsaved })] : [];
  if (reason === "signed_out") {
    return { title: _("You were signed out."), link: { href: signInUrl(config), text: _("Sign in again") },
      text: [_("Your session has ended: you signed out in another tab, your password was changed, or your account was turned off. Sign in again to keep working on this map."), ...lost] };
  }
  if (reason === "access_removed") {
    return { title: _("Your access to this map was removed."), link: dashboard,
      text: [_("You can no longer see its changes or edit it. If you still need it, ask the map's owner to share it with you again."), ...lost] };
  }
  if (reason === "map_deleted") {
    return { title: _("This map was deleted."), link: dashboard,
      text: [_("The map, or the workspace it was in, was deleted: nobody can open it any more. What is on screen is how it last looked."), ...lost] };
  }
  return { title: _("This map is no longer available."), link: dashboard,
    text: [_("It was deleted, or you can no longer open it."), ...lost] };
}

function roleNotice(role, previous) {
  const lowered = RANK[role] < RANK[previous];
  const couldEdit = RANK[previous] >= RANK.editor;
  let title;
  if (role === "viewer") title = couldEdit ? _("Your role on this map is now viewer: you can read but no longer edit.") : _("Your role on this map is now viewer: you can read but no longer comment.");
  else if (role === "commenter") title = couldEdit ? _("Your role on this map is now commenter: you can comment but no longer edit.") : _("Your role on this map is now commenter: you can now comment, but not edit.");
  else if (role === "editor") title = lowered ? _("Your role on this map is now editor: you can still edit, but no longer share it or change who has access.") : _("Your role on this map is now editor: you can edit it.");
  else title = _("Your role on this map is now owner: you can edit it, share it and change who has access.");
  const phone = !couldEdit && RANK[role] >= RANK.editor && document.body.classList.contains("jm-phone");
  return { state: lowered ? "lowered" : "raised", title, text: phone ? _("On a phone the map stays read-only: edit it on a larger screen.") : [] };
}

export function createTransport(config, { WebSocketImpl = window.WebSocket, heartbeatMs = HEARTBEAT_MS } = {}) {
  const remoteListeners = [];
  const resyncListeners = [];
  const messageListeners = [];
  const accessListeners = [];
  const pending = new Map(); // change id → {change, resolve, reject}
  const peers = new Map(); // session → {peer, seen}
  let socket = null;
  let last = null; // the last revision handed over
  let me = null;
  let attempts = 0;
  let stopped = false;
  let wasOnline = false;
  let heartbeat = null;
  let queue = Promise.resolve(); // incoming messages, one at a time
  let everWelcomed = false;
  let rest = null; // the REST transport, when this server has no WebSocket endpoint
  let welcomed = false; // the current socket has said welcome
  let heard = 0; // when the current socket last received anything (a pong at least)
  let role = config.role || null; // as the page was served, then as the server says
  let ended = null; // why access ended, once it has
  let roleClosedAt = 0; // when the server last closed with 4409

  // --- connection ---------------------------------------------------------------------

  function url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const query = new URLSearchParams();
    if (last !== null) query.set("since", String(last));
    if (config.share) query.set("share", config.share);
    return `${scheme}//${location.host}${config.socket}?${query}`;
  }

  function connect() {
    if (stopped) return;
    const current = new WebSocketImpl(url());
    socket = current;
    current.onmessage = (event) => {
      heard = Date.now();
      queue = queue.then(() => handle(event.data)).catch(() => {
        // A gap could not be fetched: reconnect, and catch up from the server instead.
        if (socket === current) current.close(4000, "catch up");
      });
    };
    current.onclose = closed;
  }

  // The socket closed (or was found dead): say so, and reconnect with backoff.
  function closed(event) {
    clearInterval(heartbeat);
    welcomed = false;
    if (stopped) return;
    if (!everWelcomed && event.code === 1006) return fallBackToRest();
    if (ENDED[event.code]) return accessEnded(event.code, event.reason);
    if (event.code === CLOSE_ROLE_CHANGED) {
      // A raised role: the next welcome says it. Nothing was lost, so no banner and no wait
      // (unless the server keeps doing it: then the usual backoff).
      const now = Date.now();
      const again = now - roleClosedAt < 2000;
      roleClosedAt = now;
      if (!again) return connect();
    }
    // 4000: closed here to catch up after a failed gap fetch; not worth a banner.
    if (wasOnline && event.code !== 4000 && event.code !== CLOSE_ROLE_CHANGED) banner(_("Connection lost. Your edits are kept and will be sent when it is back."), "offline");
    wasOnline = false;
    const delay = Math.min(15000, 500 * 2 ** attempts) * (0.75 + Math.random() / 2);
    attempts += 1;
    setTimeout(connect, delay);
  }

  function write(message) {
    if (socket && socket.readyState === 1) {
      socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  // --- incoming -----------------------------------------------------------------------

  async function handle(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch (_error) {
      return;
    }
    switch (message.type) {
      case "welcome": return welcome(message);
      case "change": return change(message);
      case "resync": return resync(message);
      case "error": return refused(message);
      case "join":
      case "presence": return peerSeen(message);
      case "leave": return peerGone(message.session);
      case "pong": return undefined;
      default:
        // `export` progress and anything later added to docs/protocol.md: whoever listens.
        for (const callback of messageListeners) callback(message);
        return undefined;
    }
  }

  // The very first handshake failed (a server or proxy without WebSockets): edit over REST
  // with polling instead, the pending changes included, rather than not at all.
  function fallBackToRest() {
    rest = createRestTransport(config);
    rest.onRemote((change) => { for (const callback of remoteListeners) callback(change); });
    rest.start(last);
    for (const [id, entry] of pending) {
      pending.delete(id);
      rest.send(entry.change).then(entry.resolve, entry.reject);
    }
  }

  function welcome(message) {
    everWelcomed = true;
    welcomed = true;
    me = message.you;
    roleChanged(message.role);
    attempts = 0;
    if (document.body.dataset.live === "offline") banner(_("Back online."), "online");
    else document.body.dataset.live = "online";
    wasOnline = true;
    peers.clear();
    for (const peer of message.peers || []) peers.set(peer.session, { peer, seen: Date.now() });
    drawPeers();
    if (last === null) last = message.revision;
    // Sent again in their original order; the server acknowledges known ids without reapplying.
    for (const { change } of pending.values()) write({ type: "change", id: change.id, ops: change.ops });
    const current = socket;
    heard = Date.now();
    heartbeat = setInterval(() => {
      if (Date.now() - heard > 2 * heartbeatMs + 1000) {
        // Not even a pong for two heartbeats: the connection died without a close (a laptop
        // that slept, a NAT that forgot it). Drop it and reconnect now rather than waiting.
        current.onclose = null;
        current.onmessage = null;
        current.close(4001, "silent");
        closed({ code: 4001 });
        return;
      }
      write({ type: "ping" });
      // Also "still here" for the others, who drop a peer silent for PEER_SILENCE_MS: someone
      // reading the map without touching it must not vanish from their avatars.
      write({ type: "presence", editing, cursor });
      const now = Date.now();
      for (const [session, entry] of peers) if (now - entry.seen > PEER_SILENCE_MS) peerGone(session);
    }, heartbeatMs);
  }

  async function change(message) {
    if (message.revision <= last) {
      // Already handed over; a re-sent change of ours is acknowledged again.
      await acknowledge(message);
      return;
    }
    if (message.revision > last + 1) await fillGap(message.revision - 1);
    if (message.revision !== last + 1) throw new Error(`revision ${last + 1} is missing`);
    last = message.revision;
    if (!(await acknowledge(message))) for (const callback of remoteListeners) callback(message);
  }

  async function acknowledge(message) {
    const entry = pending.get(message.id);
    if (!entry) return false;
    pending.delete(message.id);
    entry.resolve({ revision: message.revision });
    // Let the editor record the acknowledgement before the next remote change reaches the store.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return true;
  }

  async function fillGap(upto) {
    let next = `${config.changes}?since=${last}`;
    while (next && last < upto) {
      const response = await fetch(next, { credentials: "same-origin" });
      if (!response.ok) throw new Error(`${response.status}`);
      const body = await response.json();
      for (const item of body.results || []) {
        if (item.revision !== last + 1 || item.revision > upto) continue;
        last = item.revision;
        if (!(await acknowledge(item))) for (const callback of remoteListeners) callback(item);
      }
      next = body.next;
    }
  }

  function resync(message) {
    last = message.revision;
    for (const callback of resyncListeners) callback();
  }

  function refused(message) {
    // A role lowered while connected: `forbidden` with no change id and the new role.
    if (message.role) roleChanged(message.role);
    const entry = message.id && pending.get(message.id);
    if (!entry) return;
    if (message.code === "rate_limited" || message.code === "unavailable") {
      // Not refused, only not now (`unavailable`: the database is restarting): send it again.
      const delay = message.code === "unavailable" ? 3000 : 1000;
      setTimeout(() => write({ type: "change", id: entry.change.id, ops: entry.change.ops }), delay);
      return;
    }
    pending.delete(message.id);
    // Refused for want of a role (it was lowered before this change arrived): what it typed
    // stays in the role's notice instead of vanishing with the rollback.
    const typed = message.code === "forbidden" ? typedIn(entry.change.ops) : [];
    if (typed.length) keep(typed);
    entry.reject({ code: message.code, message: message.message || "", op: message.op, kept: typed.length > 0 });
  }

  // --- access -------------------------------------------------------------------------

  function tell(event) {
    const typed = [];
    for (const callback of accessListeners) typed.push(...(callback(event) || []));
    return typed;
  }

  function roleChanged(next) {
    if (!next || next === role || ended) return;
    const previous = role;
    role = next;
    const typed = tell({ kind: "role", role: next, previous });
    if (previous === null || !RANK[previous] || !RANK[next]) return keep(typed); // nothing known to compare
    notice({ ...roleNotice(next, previous), keep: typed });
  }

  // Access ended (4401/4403/4404): stop for good, and say why and what to do.
  function accessEnded(code, closeReason) {
    stopped = true;
    ended = REASONS.includes(closeReason) ? closeReason : ENDED[code];
    const unsaved = [...pending.values()];
    pending.clear();
    const typed = unsaved.flatMap(({ change }) => typedIn(change.ops));
    typed.push(...tell({ kind: "ended", code, reason: ended, unsaved: unsaved.length }));
    for (const [session] of peers) { showEditing(session, null); showCursor(session, null); }
    peers.clear();
    me = null;
    document.getElementById("jm-presence")?.replaceChildren(); // nobody is here for us any more
    hideBanner();
    notice({ state: "ended", ...endedNotice(config, ended, unsaved.length), keep: typed });
    document.body.dataset.live = "ended";
    // The editor rolls them back quietly: the notice has said it, and kept what they typed.
    for (const entry of unsaved) entry.reject({ code: "access_ended", message: "", kept: true });
  }

  // --- presence -----------------------------------------------------------------------

  function peerSeen(message) {
    if (me && message.session === me.session) return;
    peers.set(message.session, { peer: message, seen: Date.now() });
    drawPeers();
    if (message.type === "presence") {
      showEditing(message.session, message.editing, message.color);
      showCursor(message.session, message.cursor, message.name, message.color);
    }
  }

  function peerGone(session) {
    peers.delete(session);
    showEditing(session, null);
    showCursor(session, null);
    drawPeers();
  }

  function drawPeers() {
    const everyone = me ? [me, ...[...peers.values()].map((entry) => entry.peer)] : [];
    showPeers(everyone);
  }

  let editing = null;
  let cursor = null;
  let presenceTimer = null;

  function sharePresence() {
    if (presenceTimer) return;
    presenceTimer = setTimeout(() => {
      presenceTimer = null;
      write({ type: "presence", editing, cursor });
    }, CURSOR_MS);
  }

  function watchPresence() {
    document.addEventListener("focusin", (event) => {
      const card = event.target.closest && event.target.closest(".jm-card[data-id]");
      const id = card ? card.dataset.id : null;
      if (id !== editing) { editing = id; sharePresence(); }
    });
    document.addEventListener("focusout", () => {
      setTimeout(() => {
        const card = document.activeElement && document.activeElement.closest(".jm-card[data-id]");
        if (!card && editing) { editing = null; sharePresence(); }
      }, 0);
    });
    const grid = document.getElementById("jm-grid");
    if (!grid) return;
    grid.addEventListener("pointermove", (event) => {
      const box = grid.getBoundingClientRect();
      cursor = { x: Math.round(event.clientX - box.left + grid.scrollLeft), y: Math.round(event.clientY - box.top + grid.scrollTop) };
      sharePresence();
    });
    grid.addEventListener("pointerleave", () => { cursor = null; sharePresence(); });
  }

  // --- the transport interface --------------------------------------------------------

  return {
    send(change) {
      if (rest) return rest.send(change);
      return new Promise((resolve, reject) => {
        pending.set(change.id, { change, resolve, reject });
        write({ type: "change", id: change.id, ops: change.ops });
      });
    },
    onRemote(callback) {
      remoteListeners.push(callback);
    },
    onResync(callback) {
      resyncListeners.push(callback);
    },
    onMessage(callback) {
      messageListeners.push(callback);
    },
    // callback({kind: "role", role, previous} | {kind: "ended", code, reason, unsaved}) → the
    // texts the person was typing that cannot be saved now (kept in the notice), or nothing.
    onAccess(callback) {
      accessListeners.push(callback);
    },
    get role() {
      return role;
    },
    // null, or why access ended: "signed_out", "access_removed", "map_deleted", "map_gone".
    get ended() {
      return ended;
    },
    get connected() {
      return !rest && welcomed && socket !== null && socket.readyState === 1;
    },
    start(revision) {
      last = revision;
      watchPresence();
      connect();
    },
    stop() {
      stopped = true;
      clearInterval(heartbeat);
      if (rest) rest.stop();
      if (socket) socket.close();
    },
    get pendingCount() {
      return pending.size;
    },
  };
}
