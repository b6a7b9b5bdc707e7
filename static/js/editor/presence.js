// Extension point for live editing (socket.js): show who else is here and what they edit.
//   showPeers([{session, name, color}]) — avatars in the toolbar
//   showEditing(session, itemId|null, color) — a coloured ring on the card a peer edits
//   showCursor(session, {x, y}|null, name, color) — a peer's pointer over the grid
import { el, initials, legible, safeColor } from "./dom.js";

export function showPeers(peers) {
  const box = document.getElementById("jm-presence");
  box.replaceChildren(...peers.map((p) => {
    const { background, ink } = legible(p.color);
    return el("span", {
      class: "jm-peer", title: p.name, "aria-label": p.name, "data-session": p.session,
      style: `background:${background};color:${ink}`, text: initials(p.name),
    });
  }));
  // a11y.js announces who arrives and leaves.
  document.dispatchEvent(new CustomEvent("jm:peers", { detail: peers }));
}

export function showEditing(session, itemId, color) {
  for (const node of document.querySelectorAll(`[data-peer="${CSS.escape(session)}"]`)) {
    node.removeAttribute("data-peer");
    node.style.removeProperty("--jm-peer");
  }
  if (!itemId) return;
  const card = document.querySelector(`.jm-card[data-id="${CSS.escape(itemId)}"]`);
  if (card) {
    card.dataset.peer = session;
    card.style.setProperty("--jm-peer", safeColor(color) || "#64748b");
  }
}

export function showCursor(session, point, name, color) {
  const id = `jm-cursor-${session.replace(/[^\w-]/g, "")}`;
  let cursor = document.getElementById(id);
  if (!point) return cursor && cursor.remove();
  if (!cursor) {
    cursor = el("div", { id, class: "jm-cursor", text: name });
    document.getElementById("jm-grid").append(cursor);
  }
  cursor.style.cssText = `left:${point.x}px;top:${point.y}px;--jm-peer:${safeColor(color) || "#64748b"}`;
}
