// Selection, inline editing, the toolbar actions and the keyboard (arrows move the
// selection, Enter edits, Esc leaves, Delete deletes, Alt+arrows move, Ctrl/Cmd+Z undo,
// Shift+Ctrl/Cmd+Z or Ctrl+Y redo).
import { ed, commit, select, undo, redo, toast } from "./editor.js";
import { _, fmt } from "./i18n.js";
import { keyBetween, keyAt, newId, byPosition } from "./keys.js";
import { itemKindForLane } from "./state.js";
import { addPoint, setScore } from "./emotion.js";
import { el } from "./dom.js";
import { GRID_FOCUSABLE, rove } from "./render.js";

const STAGE_COLORS = ["#2563eb", "#7c3aed", "#db2777", "#d97706", "#16a34a", "#0891b2", "#64748b", "#dc2626"];

function typing(target) {
  return target.closest("input, textarea, select, [contenteditable]");
}

// ---- inline editing -------------------------------------------------------------------
function inlineEditor(host, value, { multiline, label, onDone }) {
  const field = el(multiline ? "textarea" : "input", { class: "jm-inline", "aria-label": label, maxlength: multiline ? 2000 : 120 });
  field.value = value;
  field.dataset.original = value; // access.js: what was typed, if editing is taken away
  host.classList.add("jm-editing");
  host.append(field);
  if (multiline) {
    field.rows = Math.min(8, Math.max(2, value.split("\n").length + 1));
  }
  field.focus();
  field.select();
  let done = false;
  const finish = (save) => {
    if (done) return;
    done = true;
    const text = field.value.normalize("NFC");
    field.remove();
    host.classList.remove("jm-editing");
    onDone(save ? text : null);
    document.dispatchEvent(new Event("jm:edit-done"));
  };
  field.addEventListener("keydown", (e) => {
    e.stopPropagation();
    if (e.key === "Escape") { e.preventDefault(); finish(false); }
    else if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); finish(true); }
  });
  field.addEventListener("blur", () => finish(true));
  return field;
}

function refocus(selector) {
  requestAnimationFrame(() => {
    const node = document.querySelector(selector);
    if (node) node.focus({ preventScroll: false });
  });
}

export function editCard(card) {
  if (!ed.canEdit) return;
  const item = ed.store.item(card.dataset.id);
  if (!item || item.kind === "emotion") return;
  const key = item.kind === "metric" && item.name ? "name" : "text";
  inlineEditor(card, item[key] || "", {
    multiline: key === "text", label: _("Card text"),
    onDone(text) {
      if (text !== null && text !== (item[key] || "")) commit([{ type: "item.update", id: item.id, fields: { [key]: text } }]);
      refocus(`.jm-card[data-id="${item.id}"]`);
    },
  });
}

export function draftCard(cell, index = null) {
  if (!ed.canEdit) return;
  const { lane, stage } = cell.dataset;
  const draft = el("div", { class: "jm-card jm-draft" });
  const siblings = ed.store.cellItems(lane, stage);
  const at = index === null ? siblings.length : index;
  const cards = cell.querySelectorAll(".jm-card");
  if (cards[at]) cell.insertBefore(draft, cards[at]);
  else cell.insertBefore(draft, cell.querySelector(".jm-add-card"));
  cell.querySelector(".jm-ed-hint")?.remove();
  inlineEditor(draft, "", {
    multiline: true, label: _("New card"),
    onDone(text) {
      draft.remove();
      if (!text || !text.trim()) return refocus(`.jm-cell[data-lane="${lane}"][data-stage="${stage}"] .jm-add-card`);
      const id = newId();
      const kind = itemKindForLane(ed.store.lane(lane).kind);
      const op = { type: "item.create", id, lane, stage, position: keyAt(siblings, at), text };
      if (kind === "metric") { op.name = text; op.text = ""; }
      commit([op]);
      select({ type: "item", id });
      refocus(`.jm-card[data-id="${id}"]`);
    },
  });
}

export function renameStage(head) {
  const stage = ed.store.stage(head.dataset.stage);
  if (!ed.canEdit || !stage) return;
  inlineEditor(head, stage.name, {
    multiline: false, label: _("Stage name"),
    onDone(text) {
      if (text && text.trim() && text !== stage.name) commit([{ type: "stage.update", id: stage.id, fields: { name: text.trim() } }]);
      refocus(`.jm-stage-head[data-stage="${stage.id}"]`);
    },
  });
}

export function renameLane(title) {
  const lane = ed.store.lane(title.dataset.lane);
  if (!ed.canEdit || !lane) return;
  inlineEditor(title, lane.title, {
    multiline: false, label: _("Lane title"),
    onDone(text) {
      if (text && text.trim() && text !== lane.title) commit([{ type: "lane.update", id: lane.id, fields: { title: text.trim() } }]);
      refocus(`.jm-lane-title[data-lane="${lane.id}"]`);
    },
  });
}

// ---- structure --------------------------------------------------------------------------
export function addStage() {
  const stages = ed.store.stages();
  const id = newId();
  commit([{ type: "stage.create", id, name: _("New stage"), position: keyBetween(stages.at(-1)?.position ?? null, null),
    color: STAGE_COLORS[stages.length % STAGE_COLORS.length] }]);
  requestAnimationFrame(() => {
    const head = document.querySelector(`.jm-stage-head[data-stage="${id}"]`);
    if (head) { head.scrollIntoView({ inline: "nearest", block: "nearest" }); renameStage(head); }
  });
}

export function addLane() {
  const dialog = document.getElementById("jm-lane-dialog");
  dialog.showModal();
}

export function createLane(kind, title) {
  const lanes = ed.store.lanes();
  const id = newId();
  commit([{ type: "lane.create", id, kind, title, position: keyBetween(lanes.at(-1)?.position ?? null, null) }]);
  refocus(`.jm-lane-title[data-lane="${id}"]`);
}

export function deleteSelected() {
  const s = ed.selection;
  if (!s || !ed.canEdit) return;
  const type = { item: "item.delete", stage: "stage.delete", lane: "lane.delete" }[s.type];
  const neighbour = neighbourOf(s);
  commit([{ type, id: s.id }]);
  select(null);
  toast(_("Deleted. Ctrl+Z brings it back."));
  if (neighbour) requestAnimationFrame(() => neighbour());
}

function neighbourOf(s) {
  if (s.type !== "item") return null;
  const item = ed.store.item(s.id);
  const siblings = ed.store.cellItems(item.lane, item.stage);
  const index = siblings.findIndex((i) => i.id === s.id);
  const next = siblings[index + 1] || siblings[index - 1];
  return () => {
    const node = next ? document.querySelector(`.jm-card[data-id="${next.id}"]`)
      : document.querySelector(`.jm-cell[data-lane="${item.lane}"][data-stage="${item.stage}"] .jm-add-card`);
    if (node) node.focus();
  };
}

// Keyboard move of a card: Alt+Left/Right to the next stage, Alt+Up/Down within its cell.
function moveCard(id, dx, dy) {
  const item = ed.store.item(id);
  const stages = ed.store.stages();
  if (dx) {
    const si = stages.findIndex((s) => s.id === item.stage) + dx;
    if (si < 0 || si >= stages.length) return;
    const target = ed.store.cellItems(item.lane, stages[si].id);
    commit([{ type: "item.move", id, stage: stages[si].id, position: keyAt(target, target.length) }]);
  } else {
    const siblings = ed.store.cellItems(item.lane, item.stage);
    const index = siblings.findIndex((i) => i.id === id) + dy;
    if (index < 0 || index >= siblings.length) {
      moveCardToLane(item, dy);
      return;
    }
    const rest = siblings.filter((i) => i.id !== id);
    commit([{ type: "item.move", id, position: keyAt(rest, index) }]);
  }
  refocus(`.jm-card[data-id="${id}"]`);
}

// Past the top or bottom of its cell, Alt+Up/Down carries a card into the nearest lane above or
// below that holds the same kind of item (a touchpoint only goes to a touchpoint lane).
function moveCardToLane(item, dy) {
  const lanes = ed.store.lanes();
  const kind = itemKindForLane(ed.store.lane(item.lane).kind);
  let index = lanes.findIndex((l) => l.id === item.lane) + dy;
  while (index >= 0 && index < lanes.length && itemKindForLane(lanes[index].kind) !== kind) index += dy;
  if (index < 0 || index >= lanes.length) return;
  const lane = lanes[index];
  const target = ed.store.cellItems(lane.id, item.stage);
  commit([{ type: "item.move", id: item.id, lane: lane.id, position: dy > 0 ? keyAt(target, 0) : keyAt(target, target.length) }]);
  toast(fmt(_("Moved to %(lane)s."), { lane: lane.title }));
  refocus(`.jm-card[data-id="${item.id}"]`);
}

function moveHeader(isStage, id, delta) {
  const list = isStage ? ed.store.stages() : ed.store.lanes();
  const index = list.findIndex((x) => x.id === id) + delta;
  if (index < 0 || index >= list.length) return;
  const rest = list.filter((x) => x.id !== id).sort(byPosition);
  commit([{ type: isStage ? "stage.move" : "lane.move", id, position: keyAt(rest, index) }]);
  refocus(isStage ? `.jm-stage-head[data-stage="${id}"]` : `.jm-lane-title[data-lane="${id}"]`);
}

// Arrow navigation over the grid's focusable things, by geometry: the nearest one in the
// pressed direction.
function focusables() {
  return [...document.querySelectorAll(`#jm-grid :is(${GRID_FOCUSABLE})`)].filter((node) => node.getClientRects().length);
}

function nearest(from, key) {
  const a = from.getBoundingClientRect();
  const ax = a.left + a.width / 2;
  const ay = a.top + a.height / 2;
  let best = null;
  let bestScore = Infinity;
  for (const node of focusables()) {
    if (node === from) continue;
    const b = node.getBoundingClientRect();
    const bx = b.left + b.width / 2;
    const by = b.top + b.height / 2;
    const dx = bx - ax;
    const dy = by - ay;
    let primary; let secondary;
    if (key === "ArrowRight") { primary = dx; secondary = Math.abs(dy); }
    else if (key === "ArrowLeft") { primary = -dx; secondary = Math.abs(dy); }
    else if (key === "ArrowDown") { primary = dy; secondary = Math.abs(dx); }
    else { primary = -dy; secondary = Math.abs(dx); }
    if (primary <= 4) continue;
    const score = primary + secondary * 3;
    if (score < bestScore) { bestScore = score; best = node; }
  }
  return best;
}

function selectionFor(node) {
  if (node.dataset.id) return { type: "item", id: node.dataset.id };
  if (node.classList.contains("jm-stage-head")) return { type: "stage", id: node.dataset.stage };
  if (node.classList.contains("jm-lane-title")) return { type: "lane", id: node.dataset.lane };
  return null;
}

export function initInteractions(root) {
  root.addEventListener("click", (event) => {
    if (event.target.closest(".jm-subjourney-chip")) return; // a link: it opens the sub-journey
    const action = event.target.closest("[data-action]");
    if (action) {
      const name = action.dataset.action;
      if (name === "add-card") draftCard(action.closest(".jm-cell"));
      else if (name === "add-point") addPoint(action.dataset.lane, action.dataset.stage);
      return;
    }
    const target = event.target.closest(".jm-card, .jm-stage-head, .jm-lane-title, .jm-emo-point");
    if (target && !event.target.closest(".jm-inline")) select(selectionFor(target));
  });
  root.addEventListener("dblclick", (event) => {
    if (event.target.closest(".jm-inline")) return;
    const card = event.target.closest(".jm-card");
    if (card && card.dataset.id) return editCard(card);
    const head = event.target.closest(".jm-stage-head");
    if (head) return renameStage(head);
    const lane = event.target.closest(".jm-lane-title");
    if (lane) return renameLane(lane);
    const cell = event.target.closest(".jm-cell");
    if (cell && ed.canEdit) draftCard(cell);
  });
  root.addEventListener("focusin", (event) => {
    if (event.target.closest(".jm-subjourney-chip")) return;
    const stop = event.target.closest(GRID_FOCUSABLE);
    if (stop && !stop.classList.contains("jm-draft")) rove(stop);
    const target = event.target.closest(".jm-card, .jm-stage-head, .jm-lane-title, .jm-emo-point");
    if (target && target.dataset && !target.classList.contains("jm-draft")) {
      const s = selectionFor(target);
      if (s && (!ed.selection || ed.selection.id !== s.id)) select(s);
    }
  });
  root.addEventListener("keydown", (event) => {
    if (typing(event.target)) return;
    const node = event.target.closest(GRID_FOCUSABLE);
    if (!node) return;
    const arrows = ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"];
    if (node.classList.contains("jm-emo-point") && ["ArrowUp", "ArrowDown"].includes(event.key) && !event.altKey) {
      event.preventDefault();
      const item = ed.store.item(node.dataset.id);
      setScore(item.id, (item.score ?? 0) + (event.key === "ArrowUp" ? 1 : -1));
      refocus(`.jm-emo-point[data-id="${item.id}"]`);
      return;
    }
    if (arrows.includes(event.key) && event.altKey && ed.canEdit) {
      event.preventDefault();
      const dx = event.key === "ArrowLeft" ? -1 : event.key === "ArrowRight" ? 1 : 0;
      const dy = event.key === "ArrowUp" ? -1 : event.key === "ArrowDown" ? 1 : 0;
      if (node.classList.contains("jm-card") && node.dataset.id) moveCard(node.dataset.id, dx, dy);
      else if (node.classList.contains("jm-stage-head") && dx) moveHeader(true, node.dataset.stage, dx);
      else if (node.classList.contains("jm-lane-title") && dy) moveHeader(false, node.dataset.lane, dy);
      return;
    }
    if (arrows.includes(event.key)) {
      event.preventDefault();
      const next = nearest(node, event.key);
      if (next) { next.focus(); next.scrollIntoView({ block: "nearest", inline: "nearest" }); }
      return;
    }
    if (event.key === "Enter" || event.key === "F2") {
      if (node.matches("button")) return; // the button's own click
      event.preventDefault();
      if (node.classList.contains("jm-card")) editCard(node);
      else if (node.classList.contains("jm-stage-head")) renameStage(node);
      else if (node.classList.contains("jm-lane-title")) renameLane(node);
      else if (node.classList.contains("jm-emo-point")) document.querySelector("#jm-panel [name=note]")?.focus();
      return;
    }
    if ((event.key === "Delete" || event.key === "Backspace") && ed.canEdit && !node.matches("button")) {
      event.preventDefault();
      select(selectionFor(node));
      deleteSelected();
      return;
    }
    if (event.key === "Escape") {
      select(null);
      node.blur();
    }
  });
  document.addEventListener("keydown", (event) => {
    const mod = event.ctrlKey || event.metaKey;
    if (!mod || typing(event.target)) return;
    const key = event.key.toLowerCase();
    if (key === "z" && !event.shiftKey) { event.preventDefault(); undo(); }
    else if ((key === "z" && event.shiftKey) || key === "y") { event.preventDefault(); redo(); }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !typing(event.target) && ed.selection) select(null);
  });
}
