// Accessibility of the live editor (issue 18):
// - an announcer: what colleagues do (a card edited, moved, added, a comment, someone arriving or
//   leaving) read out politely through an aria-live region, one sentence per change batch and at
//   most one every ANNOUNCE_MS, never per keystroke (edits reach us as committed changes);
// - the keyboard shortcuts dialog, opened with `?` or the toolbar's "?" button.
import { ed } from "./editor.js";
import { el } from "./dom.js";
import { _, fmt } from "./i18n.js";

const ANNOUNCE_MS = 1500;
const names = new Map(); // session → display name, from presence
let queue = [];
let timer = null;

function say(sentence) {
  queue.push(sentence);
  if (timer) return;
  timer = setTimeout(flush, ANNOUNCE_MS);
}

function flush() {
  timer = null;
  const region = document.getElementById("jm-announcer");
  if (!region || !queue.length) return;
  // Several changes in one window: the latest, and how many more, rather than a backlog.
  const last = queue.at(-1);
  const more = queue.length - 1;
  queue = [];
  region.textContent = more ? `${last} ${fmt(_("(and %(n)s more changes)"), { n: more })}` : last;
}

function placeOf(item) {
  const lane = ed.store.lane(item.lane);
  const stage = ed.store.stage(item.stage);
  return [lane && lane.title, stage && stage.name].filter(Boolean).join(" · ");
}

function cardName(item) {
  return item.text || item.name || item.note || _("Empty card");
}

// One sentence for a remote change, from its first op that people would care about.
export function describeChange(change) {
  const who = names.get(change.actor && change.actor.session) || _("A colleague");
  for (const op of change.ops) {
    const item = op.id ? ed.store.item(op.id) : null;
    const values = { who, card: item ? cardName(item) : "", place: item ? placeOf(item) : "" };
    if (op.type === "item.update" && item) return fmt(_("%(who)s edited the card “%(card)s” in %(place)s."), values);
    if (op.type === "item.create" && item) return fmt(_("%(who)s added the card “%(card)s” in %(place)s."), values);
    if (op.type === "item.move" && item) return fmt(_("%(who)s moved the card “%(card)s” to %(place)s."), values);
    if (op.type === "item.delete") return fmt(_("%(who)s deleted a card."), values);
    if (op.type.startsWith("comment.")) return fmt(_("%(who)s commented."), values);
    if (op.type.startsWith("stage.")) return fmt(_("%(who)s changed the stages."), values);
    if (op.type.startsWith("lane.")) return fmt(_("%(who)s changed the lanes."), values);
  }
  return fmt(_("%(who)s changed the map."), { who });
}

function onPeers(event) {
  const peers = event.detail || [];
  const sessions = new Set(peers.map((p) => p.session));
  const me = peers[0] && peers[0].session; // showPeers lists this browser first
  for (const peer of peers) {
    if (!names.has(peer.session) && peer.session !== me && names.size) say(fmt(_("%(who)s joined the map."), { who: peer.name }));
    names.set(peer.session, peer.name);
  }
  for (const [session, name] of names) {
    if (!sessions.has(session)) {
      names.delete(session);
      say(fmt(_("%(who)s left the map."), { who: name }));
    }
  }
}

// --- shortcuts dialog ----------------------------------------------------------------------

function shortcuts() {
  return [
    ["?", _("Show this list of shortcuts")],
    ["← ↑ → ↓", _("Move between cards, stage and lane headers")],
    [_("Enter or F2"), _("Edit the card, rename the stage or lane")],
    [_("Alt + ← / →"), _("Move the card to the previous or next stage")],
    [_("Alt + ↑ / ↓"), _("Move the card up or down; past the end of its cell, into the lane above or below")],
    ["↑ ↓", _("On an emotion point: raise or lower the feeling")],
    ["C", _("Comment on the focused card or stage")],
    [_("Delete"), _("Delete the card")],
    ["Ctrl + Z", _("Undo")],
    ["Ctrl + Shift + Z", _("Redo")],
    ["Escape", _("Clear the selection, close a dialog")],
    ["Tab", _("Into and out of the map: it is one stop, the arrows move inside it")],
  ];
}

function helpDialog() {
  let dialog = document.getElementById("jm-help");
  if (dialog) return dialog;
  const rows = shortcuts().map(([keys, what]) => el("tr", {}, el("th", { scope: "row" }, el("kbd", { text: keys })), el("td", { text: what })));
  dialog = el("dialog", { id: "jm-help", class: "jm-dialog jm-help-dialog", "aria-labelledby": "jm-help-title" },
    el("form", { method: "dialog" },
      el("h2", { id: "jm-help-title", text: _("Keyboard shortcuts") }),
      el("table", { class: "jm-help-table" },
        el("thead", {}, el("tr", {}, el("th", { scope: "col", text: _("Keys") }), el("th", { scope: "col", text: _("Action") }))),
        el("tbody", {}, ...rows)),
      el("div", { class: "jm-dialog-actions" }, el("button", { type: "submit", class: "jm-btn jm-btn-primary", text: _("Close") }))));
  document.body.append(dialog);
  return dialog;
}

export function openHelp() {
  const dialog = helpDialog();
  if (!dialog.open) dialog.showModal();
}

function typing(target) {
  return target.closest && target.closest("input, textarea, select, [contenteditable=true], .jm-inline");
}

function mount() {
  if (document.getElementById("jm-help-open")) return;
  document.addEventListener("jm:peers", onPeers);
  ed.transport.onRemote((change) => say(describeChange(change)));
  const button = el("button", { type: "button", id: "jm-help-open", class: "jm-btn jm-btn-icon",
    "aria-label": _("Keyboard shortcuts"), title: `${_("Keyboard shortcuts")} (?)`, "aria-keyshortcuts": "?" }, "?");
  button.addEventListener("click", openHelp);
  document.getElementById("jm-toolbar-extra")?.append(button);
  document.addEventListener("keydown", (event) => {
    if (event.key !== "?" || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector("dialog[open]")) return;
    event.preventDefault();
    openHelp();
  });
}

if (window.jmEditor) mount();
else document.addEventListener("jm:ready", mount, { once: true });
