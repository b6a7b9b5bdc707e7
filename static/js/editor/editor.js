// The editor's shared state and the one way to change the map: `commit(ops)` makes a
// docs/protocol.md change {id, ops}, applies it optimistically, records its inverse for undo
// (per user, this browser only) and sends it through the transport; a refusal rolls it back
// with a visible message.
import { _, fmt } from "./i18n.js";
import { newId } from "./keys.js";

export const ed = {
  store: null,
  config: null,
  transport: null,
  canEdit: false,
  ended: false, // access to the map ended (access.js): read-only for good, comments included
  phone: false, // a narrow screen: read-only, the phone layout (render.js)
  roving: null, // which grid element is the one Tab stop (render.js rove)
  selection: null, // {type: "item"|"stage"|"lane", id}
  zoom: 1,
  undoStack: [],
  redoStack: [],
  filters: { pain: false, owner: "", channel: "" },
  listeners: { select: [], history: [] },
};

export function on(event, callback) {
  ed.listeners[event].push(callback);
}

function emit(event, value) {
  for (const callback of ed.listeners[event]) callback(value);
}

let toastTimer = null;
export function toast(message, kind = "info") {
  const box = document.getElementById("jm-toast");
  if (!box) return;
  box.textContent = message;
  box.dataset.kind = kind;
  box.classList.add("jm-show");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => box.classList.remove("jm-show"), kind === "error" ? 7000 : 3000);
}

export function select(selection) {
  const same = selection && ed.selection && selection.type === ed.selection.type && selection.id === ed.selection.id;
  if (same) return; // focus and click both select: draw the panel once
  ed.selection = selection;
  emit("select", selection);
}

function historyChanged() {
  emit("history", { undo: ed.undoStack.length, redo: ed.redoStack.length });
}

// Returns the send promise (resolves true when the server applied it).
export function commit(ops, { record = true } = {}) {
  if (!ed.canEdit || !ops.length) return Promise.resolve(false);
  let inverse = null;
  try {
    inverse = ed.store.inverse(ops);
  } catch (error) {
    toast(fmt(_("That edit cannot be made: %(reason)s"), { reason: error.message }), "error");
    return Promise.resolve(false);
  }
  const change = { id: newId(), ops };
  try {
    ed.store.applyLocal(change);
  } catch (error) {
    toast(fmt(_("That edit cannot be made: %(reason)s"), { reason: error.message }), "error");
    return Promise.resolve(false);
  }
  if (record && inverse) {
    ed.undoStack.push({ ops, inverse });
    if (ed.undoStack.length > 200) ed.undoStack.shift();
    ed.redoStack = [];
    historyChanged();
  }
  return ed.transport.send(change).then(
    (result) => {
      ed.store.acknowledge(change.id, result && result.revision);
      return true;
    },
    (error) => {
      ed.store.reject(change.id);
      if (record && inverse) {
        ed.undoStack = ed.undoStack.filter((entry) => entry.ops !== ops);
        historyChanged();
      }
      // Access ended or the role was lowered: the notice (banner.js) says so and keeps the text.
      if (error && error.kept) return false;
      const reason = refusalReason(error);
      toast(fmt(_("Your change was not saved (%(reason)s). The map shows the saved version."), { reason }), "error");
      return false;
    },
  );
}

// The server's reasons are English; the ones a marketer meets when linking sub-journeys are
// said in their language (maps/ops.py check_subjourney).
function refusalReason(error) {
  if (!error || !error.message) return _("the server could not be reached");
  const message = String(error.message);
  if (message.startsWith("subjourney:") && message.includes("cycle")) return _("this map is already above the chosen map: the link would make a cycle");
  if (message.startsWith("subjourney:") && message.includes("same workspace")) return _("a sub-journey must be a map of the same workspace");
  if (message.startsWith("subjourney:")) return _("a map cannot be its own sub-journey");
  if (error.code === "not_found" && message.startsWith("map ")) return _("that map does not exist or you cannot open it");
  return message;
}

export function undo() {
  const entry = ed.undoStack.pop();
  if (!entry) return;
  ed.redoStack.push(entry);
  historyChanged();
  commit(entry.inverse, { record: false }).then((ok) => {
    if (!ok) {
      ed.redoStack = ed.redoStack.filter((e) => e !== entry);
      historyChanged();
    }
  });
}

export function redo() {
  const entry = ed.redoStack.pop();
  if (!entry) return;
  ed.undoStack.push(entry);
  historyChanged();
  commit(entry.ops, { record: false }).then((ok) => {
    if (!ok) {
      ed.undoStack = ed.undoStack.filter((e) => e !== entry);
      historyChanged();
    }
  });
}
