// The editor's entry point: loads the document, wires the modules together.
//
// Extension points:
// - transport: config.transport "socket" (settings.EDITOR_TRANSPORT's default) loads
//   ./socket.js, "rest" ./transport.js; both export createTransport(config) →
//   { send(change) → Promise, onRemote(cb), start(rev) }; the socket adds onResync(cb),
//   onMessage(cb) (e.g. `export` progress), `connected`, and onAccess(cb): the role the server
//   says and access ending, which access.js turns into the editor's role (issue 24).
// - presence: ./presence.js (showPeers, showEditing, showCursor).
// - exports: #jm-toolbar-extra is where export-dialog.js mounts its button; a `jm:export`
//   event on document asks for the export dialog.
// - window.jmEditor exposes {ed, commit, render} to those modules and to tests.
import { ed, commit, on, toast, undo, redo, select } from "./editor.js";
import { Store, configure } from "./state.js";
import { renderAll, renderLane, renderItem, renderPersonas, onAfterRender } from "./render.js";
import { initDragAndDrop } from "./dnd.js";
import { initEmotionDrag } from "./emotion.js";
import { initInteractions, addStage, addLane, createLane } from "./interact.js";
import { initPanel, refreshPanel } from "./panel.js";
import { initFilters, applyFilters, refreshFilterChoices } from "./filters.js";
import { initPresentation, open as openPresentation } from "./present.js";
import { initAccess } from "./access.js";
import { el } from "./dom.js";
import { _ } from "./i18n.js";

const ZOOMS = [0.5, 0.67, 0.8, 0.9, 1, 1.1, 1.25];

function laneDialog() {
  const kinds = el("select", { id: "jm-lane-kind", name: "kind" });
  for (const kind of ed.config.laneKinds) kinds.append(el("option", { value: kind.key, text: kind.label }));
  const title = el("input", { id: "jm-lane-title", name: "title", maxlength: 120, placeholder: _("Same as the kind") });
  const dialog = el("dialog", { id: "jm-lane-dialog", class: "jm-dialog", "aria-labelledby": "jm-lane-dialog-title" },
    el("form", { method: "dialog" },
      el("h2", { id: "jm-lane-dialog-title", text: _("Add a lane") }),
      el("div", { class: "jm-ed-field" }, el("label", { for: "jm-lane-kind", text: _("What the lane holds") }), kinds),
      el("div", { class: "jm-ed-field" }, el("label", { for: "jm-lane-title", text: _("Title") }), title),
      el("div", { class: "jm-dialog-actions" },
        el("button", { type: "submit", value: "cancel", class: "jm-btn" }, _("Cancel")),
        el("button", { type: "submit", value: "add", class: "jm-btn jm-btn-primary" }, _("Add lane")))));
  dialog.addEventListener("close", () => {
    if (dialog.returnValue === "add") {
      const kind = ed.config.laneKinds.find((k) => k.key === kinds.value);
      createLane(kinds.value, (title.value.trim() || kind.label).normalize("NFC"));
    }
    title.value = "";
  });
  document.body.append(dialog);
}

function setZoom(step) {
  const i = Math.max(0, Math.min(ZOOMS.length - 1, ZOOMS.indexOf(ed.zoom) + step));
  ed.zoom = ZOOMS[i];
  document.getElementById("jm-grid").style.setProperty("--jm-zoom", String(ed.zoom));
  document.getElementById("jm-zoom").textContent = `${Math.round(ed.zoom * 100)}%`;
}

function toolbar() {
  const onAction = (event) => {
    const action = event.target.closest("[data-action]");
    if (!action) return;
    const name = action.dataset.action;
    if (name === "undo") undo();
    else if (name === "redo") redo();
    else if (name === "add-stage") addStage();
    else if (name === "add-lane") addLane();
    else if (name === "zoom-in") setZoom(1);
    else if (name === "zoom-out") setZoom(-1);
    else if (name === "present") openPresentation(0);
    else if (name === "export") document.dispatchEvent(new CustomEvent("jm:export", { detail: { map: ed.config.map } }));
  };
  for (const bar of document.querySelectorAll(".jm-ed-bar, .jm-subbar")) bar.addEventListener("click", onAction);
  document.getElementById("jm-grid").addEventListener("click", (event) => {
    const action = event.target.closest("[data-action=add-stage], [data-action=add-lane]");
    if (action) (action.dataset.action === "add-stage" ? addStage : addLane)();
  });
  on("history", ({ undo: u, redo: r }) => {
    document.querySelector("[data-action=undo]").disabled = !u;
    document.querySelector("[data-action=redo]").disabled = !r;
  });
  document.getElementById("jm-scroll").addEventListener("wheel", (event) => {
    if (!event.ctrlKey) return;
    event.preventDefault();
    setZoom(event.deltaY < 0 ? 1 : -1);
  }, { passive: false });
  initPinch(document.getElementById("jm-scroll"));
}

// Tablets: two fingers apart or together step the map's zoom, as the − / + buttons do (the
// pane has `touch-action: pan-x pan-y` on touch screens, so the page itself does not zoom).
function initPinch(pane) {
  const fingers = new Map();
  let spread = 0;
  const distance = () => {
    const [a, b] = [...fingers.values()];
    return Math.hypot(a.x - b.x, a.y - b.y);
  };
  pane.addEventListener("pointerdown", (event) => {
    if (event.pointerType !== "touch") return;
    fingers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (fingers.size === 2) spread = distance();
  });
  pane.addEventListener("pointermove", (event) => {
    if (!fingers.has(event.pointerId)) return;
    fingers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (fingers.size !== 2 || !spread) return;
    const ratio = distance() / spread;
    if (ratio > 1.25 || ratio < 0.8) {
      setZoom(ratio > 1 ? 1 : -1);
      spread = distance();
    }
  });
  const lift = (event) => {
    fingers.delete(event.pointerId);
    if (fingers.size < 2) spread = 0;
  };
  pane.addEventListener("pointerup", lift);
  pane.addEventListener("pointercancel", lift);
}

function markSelection(selection) {
  for (const node of document.querySelectorAll(".jm-selected")) node.classList.remove("jm-selected");
  for (const node of document.querySelectorAll(".jm-card[aria-current]")) node.removeAttribute("aria-current");
  if (!selection) return;
  if (selection.type === "item") {
    document.querySelector(`.jm-card[data-id="${CSS.escape(selection.id)}"]`)?.setAttribute("aria-current", "true");
  }
  const attr = { item: "data-id", stage: "data-stage", lane: "data-lane" }[selection.type];
  const cls = { item: "", stage: ".jm-stage-head", lane: ".jm-lane-title" }[selection.type];
  for (const node of document.querySelectorAll(`${cls}[${attr}="${CSS.escape(selection.id)}"]`)) node.classList.add("jm-selected");
}

// The document as last loaded and its ETag: a reload (resync, a change that did not apply)
// sends If-None-Match and, while the server's copy is the same, gets 304 and reuses it.
let loaded = null;

async function loadDocument() {
  const headers = { Accept: "application/json" };
  if (loaded) headers["If-None-Match"] = loaded.etag;
  const response = await fetch(ed.config.api, { credentials: "same-origin", headers, cache: "no-store" });
  if (response.status === 304 && loaded) return loaded.doc;
  if (!response.ok) throw new Error(`${response.status}`);
  const doc = await response.json();
  const etag = response.headers.get("ETag");
  loaded = etag ? { etag, doc } : null;
  return doc;
}

async function start() {
  ed.config = JSON.parse(document.getElementById("jm-editor-config").textContent);
  // The server's item schema (maps/item_schema.py), before the store applies any op.
  configure(JSON.parse(document.getElementById("jm-item-schema").textContent));
  // A phone reads the map (lanes of swipeable stages) and comments; editing needs a bigger screen.
  ed.phone = window.matchMedia("(max-width: 640px) and (pointer: coarse)").matches;
  ed.canEdit = Boolean(ed.config.canEdit) && !ed.phone;
  if (ed.phone) document.body.classList.add("jm-phone", "jm-read-only");
  // Where the access notices lead (socket.js): sign in again, back to the dashboard.
  const bar = document.querySelector(".jm-ed-bar");
  if (bar) Object.assign(ed.config, { login: bar.dataset.login, dashboard: bar.dataset.dashboard });
  const module = ed.config.transport === "socket" ? await import("./socket.js") : await import("./transport.js");
  ed.transport = module.createTransport(ed.config);
  let doc;
  try {
    doc = await loadDocument();
  } catch (_error) {
    document.getElementById("jm-grid").replaceChildren(el("p", { class: "jm-ed-hint", text: _("The map could not be loaded. Reload the page to try again.") }));
    return;
  }
  ed.store = new Store(doc);
  ed.store.subscribe((dirty) => {
    if (document.querySelector(".jm-editing")) {
      // Someone else's change while typing here: draw it once the field closes.
      ed.deferredRender = true;
      return;
    }
    if (dirty.full || dirty.lanes.size > 3) renderAll();
    else {
      for (const lane of dirty.lanes) renderLane(lane);
      for (const item of dirty.items || []) {
        if (!dirty.lanes.has(ed.store.item(item)?.lane)) renderItem(item);
      }
    }
    if (dirty.map) document.getElementById("jm-title").textContent = ed.store.doc.title;
    refreshPanel();
  });
  document.addEventListener("jm:edit-done", () => {
    if (!ed.deferredRender) return;
    ed.deferredRender = false;
    renderAll();
    refreshPanel();
  });
  onAfterRender(() => { applyFilters(); markSelection(ed.selection); });
  on("select", markSelection);
  ed.transport.onRemote((change) => {
    try {
      ed.store.applyRemote(change);
    } catch (_error) {
      loadDocument().then((fresh) => ed.store.replace(fresh));
    }
  });
  if (ed.transport.onResync) ed.transport.onResync(() => loadDocument().then((fresh) => ed.store.replace(fresh)));
  const root = document.getElementById("jm-grid");
  laneDialog();
  toolbar();
  initInteractions(root);
  initDragAndDrop(root);
  initEmotionDrag(root);
  initPanel();
  initFilters();
  initPresentation();
  renderPersonas();
  renderAll();
  refreshFilterChoices();
  ed.store.subscribe(() => refreshFilterChoices());
  initAccess(ed.transport); // the welcome's role, and access ending, drive the editor from here
  if (ed.transport.start) ed.transport.start(ed.store.revision);
  window.jmEditor = { ed, commit, select, render: renderAll, toast };
  performance.mark("jm-ready");
  document.body.dataset.ready = "true";
  document.dispatchEvent(new CustomEvent("jm:ready", { detail: window.jmEditor }));
}

start();
