// The editor follows the person's access as the server says it (issue 24; socket.js onAccess):
// - a role raised or lowered switches the whole editor at once: ed.canEdit (and with it the
//   toolbar, "+" buttons, drag and drop, the emotion curve, the side panel's fields, the
//   Delete button), the role badge, and what collab.js offers (comments, sharing), which
//   hears a `jm:role` event on document;
// - access ended (signed out, removed, map deleted): the editor stays on screen, read-only,
//   commenting included (ed.ended).
// Losing the right to edit closes any field being typed in (card, stage, lane, new card, side
// panel; collab.js its comment boxes) without saving it; what was typed goes back to socket.js,
// which keeps it in the notice for the person to copy. Phones stay read-only whatever the role.
import { ed, select } from "./editor.js";
import { _ } from "./i18n.js";
import { renderAll } from "./render.js";
import { redrawPanel } from "./panel.js";

const RANK = { viewer: 1, commenter: 2, editor: 3, owner: 4 };
const ROLE_LABEL = () => ({ owner: _("Owner"), editor: _("Editor"), commenter: _("Commenter"), viewer: _("Viewer") });

export function initAccess(transport) {
  if (!transport.onAccess) return;
  transport.onAccess((event) => (event.kind === "role" ? applyRole(event.role) : applyRole(ed.config.role, { ended: true })));
}

// Returns what was being typed and is now given up.
export function applyRole(role, { ended = false } = {}) {
  const could = ed.canEdit;
  ed.config.role = role;
  if (ended) ed.ended = true;
  ed.canEdit = !ed.ended && !ed.phone && RANK[role] >= RANK.editor;
  ed.config.canEdit = RANK[role] >= RANK.editor;
  const typed = could && !ed.canEdit ? stopEditing() : [];
  document.body.classList.toggle("jm-read-only", !ed.canEdit);
  drawBadge(role);
  if (could !== ed.canEdit && ed.store) {
    renderAll();
    redrawPanel();
  }
  // collab.js redraws comments and sharing, and hands back what its boxes held.
  document.dispatchEvent(new CustomEvent("jm:role", {
    detail: { role, canEdit: ed.canEdit, ended: Boolean(ed.ended), keep: (texts) => typed.push(...texts) },
  }));
  return typed;
}

function drawBadge(role) {
  const badge = document.querySelector(".jm-ed-role");
  if (!badge) return;
  badge.className = `jm-ed-role jm-role-${ed.ended ? "none" : role}`;
  const label = ROLE_LABEL()[role] || role;
  badge.textContent = ed.ended ? _("Read only") : ed.canEdit ? label : `${_("Read only")} · ${label}`;
}

// Close every field being typed in, unsaved; return the texts that differed from the map.
function stopEditing() {
  const typed = [];
  // A drag under way ends where it is (dnd.js listens on window); its drop commits nothing now.
  window.dispatchEvent(new PointerEvent("pointercancel"));
  for (const field of document.querySelectorAll(".jm-inline")) {
    if (field.value.trim() && field.value !== (field.dataset.original || "")) typed.push(field.value);
    // interact.js's Escape: the field closes without saving (a new card's draft goes with it).
    field.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
  }
  const form = document.querySelector("#jm-panel .jm-panel-form");
  if (form) {
    const type = form.dataset.type;
    const id = form.dataset.id;
    const target = type === "item" ? ed.store.item(id) : type === "stage" ? ed.store.stage(id) : ed.store.lane(id);
    for (const field of form.querySelectorAll("textarea, input:not([type]), input[type=text]")) {
      const saved = target && target[field.name] != null ? String(target[field.name]) : "";
      if (field.value.trim() && field.value.normalize("NFC") !== saved) typed.push(field.value);
    }
  }
  const lane = document.getElementById("jm-lane-dialog");
  if (lane && lane.open) {
    const title = lane.querySelector("#jm-lane-title");
    if (title && title.value.trim()) typed.push(title.value);
    lane.close("cancel");
  }
  if (ed.selection && ed.selection.type === "item" && !ed.store.item(ed.selection.id)) select(null);
  return typed;
}
