// The side panel: every field of the selected item (evidence level and research source
// included), or of the selected stage or lane. Each field commits one update on change.
import { ed, commit, select, on } from "./editor.js";
import { el, safeColor } from "./dom.js";
import { _ } from "./i18n.js";
import { channelName } from "./render.js";
import { deleteSelected } from "./interact.js";
import { keyAt } from "./keys.js";
import { evidenceControl, insightsField } from "./insights.js";

const EVIDENCE = () => [["assumption", _("Assumption")], ["anecdote", _("Anecdote")], ["research", _("Research-backed")], ["data", _("Data-backed")]];
const PHASES = () => [["", "—"], ["before", _("Before purchase")], ["during", _("During purchase")], ["after", _("After purchase")]];

function field(label, control, hint) {
  const id = `jm-f-${control.name}`;
  control.id = id;
  return el("div", { class: "jm-ed-field" }, el("label", { for: id, text: label }), control, hint ? el("p", { class: "jm-ed-field-hint", text: hint }) : null);
}

function input(name, value, type = "text", extra = {}) {
  const node = el("input", { name, type, ...extra });
  node.value = value ?? "";
  node.disabled = !ed.canEdit;
  return node;
}

function textarea(name, value, rows = 3) {
  const node = el("textarea", { name, rows });
  node.value = value ?? "";
  node.disabled = !ed.canEdit;
  return node;
}

function choice(name, value, options) {
  const node = el("select", { name });
  for (const [key, label] of options) node.append(el("option", { value: key, text: label }));
  node.value = value ?? "";
  node.disabled = !ed.canEdit;
  return node;
}

function parse(name, node) {
  const raw = node.value;
  if (["impact", "importance", "score", "effort", "reach", "confidence"].includes(name)) return raw === "" ? null : Number.parseInt(raw, 10);
  if (["value", "target"].includes(name)) return raw === "" ? null : Number(raw);
  if (name === "online") return raw === "" ? null : raw === "true";
  if (["due", "persona", "subjourney"].includes(name)) return raw || null;
  return raw.normalize("NFC");
}

function itemFields(item) {
  const list = [];
  const personas = ed.store.doc.personas || [];
  if (item.kind === "metric") list.push(field(_("Metric"), input("name", item.name, "text", { maxlength: 120 })));
  if (item.kind !== "emotion") list.push(field(item.kind === "metric" ? _("Notes") : _("Text"), textarea("text", item.text, 4)));
  if (item.kind === "touchpoint") {
    list.push(field(_("Channel"), choice("channel", item.channel, [["", "—"], ...ed.config.channels.map((c) => [c.key, channelName(c)])])));
    list.push(field(_("Online or offline"), choice("online", item.online === null ? "" : String(item.online), [["", "—"], ["true", _("Online")], ["false", _("Offline")]])));
    list.push(field(_("Owner team"), input("owner", item.owner, "text", { maxlength: 120 })));
    const rating = [["", "—"], ...[1, 2, 3, 4, 5].map((n) => [String(n), String(n)])];
    list.push(field(_("Impact (1–5)"), choice("impact", item.impact === null ? "" : String(item.impact), rating)));
    list.push(field(_("Importance (1–5)"), choice("importance", item.importance === null ? "" : String(item.importance), rating)));
    list.push(field(_("Purchase phase"), choice("phase", item.phase, PHASES())));
  }
  if (item.kind === "emotion") {
    list.push(field(_("Feeling (−2 to +2)"), choice("score", String(item.score ?? 0), [["2", "+2"], ["1", "+1"], ["0", "0"], ["-1", "−1"], ["-2", "−2"]])));
    list.push(field(_("Note"), textarea("note", item.note, 3)));
    list.push(field(_("Label"), input("text", item.text, "text", { maxlength: 2000 })));
    list.push(field(_("Persona"), choice("persona", item.persona || "", [["", _("Customer (no persona)")], ...personas.map((p) => [p.id, p.name])])));
    list.push(field(_("Curve"), choice("variant", item.variant || "as_is", [["as_is", _("As is")], ["to_be", _("To be")]])));
  }
  if (item.kind === "metric") {
    list.push(field(_("Current value"), input("value", item.value, "number", { step: "any" })));
    list.push(field(_("Target"), input("target", item.target, "number", { step: "any" })));
    list.push(field(_("Unit"), input("unit", item.unit, "text", { maxlength: 20 })));
    list.push(field(_("Trend"), choice("trend", item.trend, [["", "—"], ["up", _("Up")], ["flat", _("Flat")], ["down", _("Down")]])));
  }
  if (item.kind === "card" && ed.store.lane(item.lane)?.kind === "opportunities") list.push(...opportunityFields(item));
  if (item.kind === "action") {
    list.push(field(_("Owner"), input("owner", item.owner, "text", { maxlength: 120 })));
    list.push(field(_("Due date"), input("due", item.due, "date")));
    list.push(field(_("Status"), choice("status", item.status || "todo", [["todo", _("To do")], ["doing", _("In progress")], ["done", _("Done")]])));
  }
  // Moving by form as well as by dragging: touch screens and screen readers need it.
  list.push(field(_("Stage"), choice("stage", item.stage, ed.store.stages().map((s) => [s.id, s.name]))));
  const evidence = field(_("Evidence"), choice("evidence", item.evidence, EVIDENCE()), _("How do we know? Prefer research and data over assumptions."));
  evidenceControl(evidence.querySelector("select"), item); // derived when insights back the card
  list.push(evidence);
  list.push(insightsField(item));
  list.push(field(_("Research source"), textarea("source", item.source, 2), _("Interview, survey, analytics report, link…")));
  list.push(field(_("Colour"), input("color", safeColor(item.color) || "#ffffff", "color")));
  return list;
}

// An opportunity's scores (RICE), workflow status, owner and due date: the portfolio page
// shows and edits the same fields.
function opportunityFields(item) {
  const rating = [["", "—"], ...[1, 2, 3, 4, 5].map((n) => [String(n), String(n)])];
  const value = (v) => (v === null || v === undefined ? "" : String(v));
  const statuses = [["idea", _("Idea")], ["planned", _("Planned")], ["in_progress", _("In progress")], ["done", _("Done")], ["dropped", _("Dropped")]];
  return [
    field(_("Impact (1–5)"), choice("impact", value(item.impact), rating)),
    field(_("Effort (1–5)"), choice("effort", value(item.effort), rating)),
    field(_("Reach (people)"), input("reach", item.reach, "number", { min: 0, step: 1 })),
    field(_("Confidence (%)"), input("confidence", item.confidence, "number", { min: 0, max: 100, step: 5 })),
    field(_("Opportunity status"), choice("status", item.status || "idea", statuses)),
    field(_("Owner"), input("owner", item.owner, "text", { maxlength: 120 })),
    field(_("Due date"), input("due", item.due, "date")),
  ];
}

// A stage may name another map of the workspace as its sub-journey. Maps already above this
// one are listed but disabled: the server would refuse the cycle anyway.
function subjourneyField(stage) {
  const maps = ed.config.maps || [];
  const node = el("select", { name: "subjourney" });
  node.append(el("option", { value: "", text: _("None") }));
  for (const m of maps) {
    node.append(el("option", { value: m.id, text: m.above ? `${m.title} (${_("above this map")})` : m.title, disabled: m.above ? true : null }));
  }
  if (stage.subjourney && !maps.some((m) => m.id === stage.subjourney)) {
    node.append(el("option", { value: stage.subjourney, text: _("A map you cannot open") }));
  }
  node.value = stage.subjourney || "";
  node.disabled = !ed.canEdit;
  const open = stage.subjourney && maps.some((m) => m.id === stage.subjourney)
    ? el("a", { class: "jm-btn jm-subjourney-open", href: `/maps/${encodeURIComponent(stage.subjourney)}/` }, `↳ ${_("Open the sub-journey")}`)
    : null;
  const wrap = field(_("Sub-journey"), node, _("Another map of this workspace that details this stage."));
  if (open) wrap.append(open);
  return wrap;
}

let shown = "";
function render(selection, { force = true } = {}) {
  const panel = document.getElementById("jm-panel");
  const target = selection && (selection.type === "item" ? ed.store.item(selection.id)
    : selection.type === "stage" ? ed.store.stage(selection.id) : ed.store.lane(selection.id));
  const signature = JSON.stringify([selection, target]);
  if (!force && signature === shown) return; // an edit elsewhere: nothing to redraw here
  shown = signature;
  if (!target) {
    panel.hidden = true;
    document.body.classList.remove("jm-panel-open");
    return;
  }
  const titles = { item: _("Card details"), stage: _("Stage"), lane: _("Lane") };
  let fields;
  if (selection.type === "item") fields = itemFields(target);
  else if (selection.type === "stage") {
    fields = [
      field(_("Name"), input("name", target.name, "text", { maxlength: 120, required: true })),
      field(_("Description"), textarea("description", target.description, 3)),
      field(_("Purchase phase"), choice("phase", target.phase, PHASES())),
      field(_("Colour"), input("color", safeColor(target.color) || "#6366f1", "color")),
      subjourneyField(target),
    ];
  } else {
    const kind = ed.config.laneKinds.find((k) => k.key === target.kind);
    fields = [
      field(_("Title"), input("title", target.title, "text", { maxlength: 120, required: true })),
      field(_("Kind"), input("kind", kind ? kind.label : target.kind, "text", { readonly: true })),
      field(_("Description"), textarea("description", target.description, 3)),
    ];
  }
  const form = el("form", { class: "jm-panel-form", "data-type": selection.type, "data-id": selection.id }, ...fields);
  form.addEventListener("submit", (e) => e.preventDefault());
  form.addEventListener("change", (event) => {
    const name = event.target.name;
    if (!name || name === "kind") return;
    let value = parse(name, event.target);
    if (["name", "title"].includes(name) && !String(value).trim()) return;
    if (name === "stage" && selection.type === "item") {
      const item = ed.store.item(selection.id);
      const target = ed.store.cellItems(item.lane, value);
      commit([{ type: "item.move", id: item.id, stage: value, position: keyAt(target, target.length) }]);
      return;
    }
    if (name === "color" && value === "#ffffff" && selection.type === "item") value = "";
    commit([{ type: `${selection.type}.update`, id: selection.id, fields: { [name]: value } }]);
  });
  panel.replaceChildren(
    el("header", { class: "jm-panel-head" },
      el("h2", { text: titles[selection.type] }),
      el("button", { type: "button", class: "jm-btn jm-btn-icon", "data-action": "close-panel", "aria-label": _("Close details") }, "×")),
    form,
    ed.canEdit ? el("div", { class: "jm-panel-foot" },
      el("button", { type: "button", class: "jm-btn jm-btn-danger", "data-action": "delete-selected" }, _("Delete"))) : null,
    el("div", { id: "jm-panel-extra" }), // comments and history mount here later
  );
  panel.hidden = false;
  document.body.classList.add("jm-panel-open");
}

export function initPanel() {
  const panel = document.getElementById("jm-panel");
  on("select", render);
  panel.addEventListener("click", (event) => {
    const action = event.target.closest("[data-action]");
    if (!action) return;
    if (action.dataset.action === "close-panel") select(null);
    if (action.dataset.action === "delete-selected") deleteSelected();
  });
}

// Draws the open panel again even while typing in it: the role changed (access.js), so its
// fields become editable or read-only.
export function redrawPanel() {
  if (!document.getElementById("jm-panel").hidden) render(ed.selection);
}

// Keeps the open panel in step with the document (remote edits, undo), unless typing in it.
export function refreshPanel() {
  const panel = document.getElementById("jm-panel");
  if (panel.hidden || panel.contains(document.activeElement)) return;
  render(ed.selection, { force: false });
}
