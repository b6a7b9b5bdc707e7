// The emotion lane: an SVG curve per persona (and per as-is / to-be variant) whose points drag
// between −2 and +2, each drawn as a face for its level.
import { ed, commit, select } from "./editor.js";
import { el, svg, safeColor } from "./dom.js";
import { _, fmt } from "./i18n.js";
import { keyBetween, newId } from "./keys.js";
import { laneHint } from "./lanes.js";

const W = 264; // matches render.js COL_W
const H = 168;
const MID = H / 2;
const STEP = 32;
const FACE_FILL = { "-2": "#fecaca", "-1": "#fed7aa", 0: "#fef08a", 1: "#d9f99d", 2: "#bbf7d0" };
const MOUTH = {
  2: "M-6 2 Q0 10 6 2", 1: "M-5 4 Q0 8 5 4", 0: "M-5 5 L5 5", "-1": "M-5 7 Q0 3 5 7", "-2": "M-6 8 Q0 0 6 8",
};
const LEVEL = () => ({ 2: _("Delighted"), 1: _("Pleased"), 0: _("Neutral"), "-1": _("Annoyed"), "-2": _("Frustrated") });
const yOf = (score) => MID - score * STEP;

function groupKey(item) {
  return `${item.persona || ""}|${item.variant || "as_is"}`;
}

function groupColor(personaId) {
  const persona = (ed.store.doc.personas || []).find((p) => p.id === personaId);
  return (persona && safeColor(persona.color)) || "#d97706";
}

function face(item, x, color) {
  const score = Math.max(-2, Math.min(2, item.score ?? 0));
  const g = svg("g", {
    class: "jm-emo-point", transform: `translate(${x} ${yOf(score)})`, tabindex: "0", role: "slider",
    "data-id": item.id, "aria-valuemin": -2, "aria-valuemax": 2, "aria-valuenow": score,
    "aria-valuetext": `${score > 0 ? "+" : ""}${score} ${LEVEL()[score]}`,
    "aria-label": item.text || item.note || _("Emotion point"), "aria-describedby": `jm-stage-${item.stage}`,
  });
  g.append(svg("circle", { r: 15, fill: FACE_FILL[score], stroke: color, "stroke-width": 2.5 }));
  g.append(svg("circle", { cx: -5, cy: -4, r: 1.8, fill: "#1f2937" }), svg("circle", { cx: 5, cy: -4, r: 1.8, fill: "#1f2937" }));
  g.append(svg("path", { d: MOUTH[score], fill: "none", stroke: "#1f2937", "stroke-width": 1.8, "stroke-linecap": "round" }));
  return g;
}

// The curve as a list a screen reader can read in stage order: "Stage: +1 Pleased, text".
function valueList(items, stages) {
  // Hidden on screens wide enough for the faces; shown under the shrunken curve on phones.
  const list = el("ul", { class: ed.phone ? "jm-emo-values" : "jm-visually-hidden jm-emo-values", "aria-label": _("Emotion curve values") });
  stages.forEach((stage) => {
    for (const item of items.filter((i) => i.stage === stage.id)) {
      const score = Math.max(-2, Math.min(2, item.score ?? 0));
      const value = `${score > 0 ? "+" : ""}${score} ${LEVEL()[score]}`;
      list.append(el("li", { text: [`${stage.name}: ${value}`, item.text || item.note].filter(Boolean).join(", ") }));
    }
  });
  return list;
}

export function renderEmotionLane(lane, stages) {
  const width = Math.max(stages.length, 1) * W;
  const area = el("div", { class: "jm-emotion-area", "data-lane": lane.id, role: "gridcell", style: `width:${width}px` });
  const chart = svg("svg", { class: "jm-emotion-svg", viewBox: `0 0 ${width} ${H}`, width, height: H, "aria-label": lane.title, role: "group" });
  for (let s = -2; s <= 2; s += 1) {
    chart.append(svg("line", { x1: 0, x2: width, y1: yOf(s), y2: yOf(s), class: s === 0 ? "jm-emo-axis jm-zero" : "jm-emo-axis" }));
  }
  stages.forEach((_s, i) => i && chart.append(svg("line", { x1: i * W, x2: i * W, y1: 0, y2: H, class: "jm-emo-sep" })));
  const column = new Map(stages.map((s, i) => [s.id, i]));
  const items = ed.store.doc.items.filter((i) => i.lane === lane.id && column.has(i.stage));
  const groups = new Map();
  for (const item of items) {
    const key = groupKey(item);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(item);
  }
  const faces = [];
  const legend = [];
  for (const [key, list] of groups) {
    const [personaId, variant] = key.split("|");
    const color = groupColor(personaId || null);
    list.sort((a, b) => column.get(a.stage) - column.get(b.stage) || (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
    const perStage = new Map();
    for (const item of list) perStage.set(item.stage, (perStage.get(item.stage) || 0) + 1);
    const seen = new Map();
    const points = list.map((item) => {
      const k = seen.get(item.stage) || 0;
      seen.set(item.stage, k + 1);
      const x = column.get(item.stage) * W + (W * (k + 1)) / (perStage.get(item.stage) + 1);
      return { item, x, y: yOf(item.score ?? 0) };
    });
    const d = points.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)} ${p.y}`).join(" ");
    chart.append(svg("path", { d, class: variant === "to_be" ? "jm-emo-line jm-to-be" : "jm-emo-line", stroke: color }));
    for (const p of points) faces.push(face(p.item, p.x, color));
    const persona = (ed.store.doc.personas || []).find((x) => x.id === personaId);
    legend.push(el("span", { class: "jm-legend-item", style: `--jm-legend:${color}` },
      el("span", { class: variant === "to_be" ? "jm-legend-swatch jm-dashed" : "jm-legend-swatch" }),
      `${persona ? persona.name : _("Customer")} · ${variant === "to_be" ? _("to be") : _("as is")}`));
  }
  chart.append(...faces);
  area.append(chart, valueList(items, stages));
  if (legend.length) area.append(el("div", { class: "jm-emo-legend" }, ...legend));
  if (!items.length) area.append(el("p", { class: "jm-ed-hint jm-emo-hint", text: laneHint("emotions") }));
  if (ed.canEdit) {
    const adds = el("div", { class: "jm-emo-adds" });
    for (const stage of stages) {
      adds.append(el("button", { type: "button", class: "jm-add-card jm-add-point", "data-action": "add-point",
        "data-lane": lane.id, "data-stage": stage.id, "aria-label": fmt(_("Add an emotion point in %(stage)s"), { stage: stage.name }) }, "+"));
    }
    area.append(adds);
  }
  return area;
}

export function addPoint(laneId, stageId) {
  const last = ed.store.cellItems(laneId, stageId).at(-1);
  const personas = ed.store.doc.personas || [];
  const op = { type: "item.create", id: newId(), lane: laneId, stage: stageId,
    position: keyBetween(last ? last.position : null, null), text: "", score: 0, variant: "as_is" };
  if (personas.length) op.persona = personas[0].id;
  commit([op]);
  select({ type: "item", id: op.id });
}

export function setScore(id, score) {
  const item = ed.store.item(id);
  const clamped = Math.max(-2, Math.min(2, score));
  if (!item || item.score === clamped) return;
  commit([{ type: "item.update", id, fields: { score: clamped } }]);
}

// Dragging a point: the face follows the pointer, snapping to whole levels; one change on drop.
export function initEmotionDrag(root) {
  root.addEventListener("pointerdown", (event) => {
    const point = event.target.closest(".jm-emo-point");
    if (!point || !ed.canEdit || event.button !== 0) return;
    event.preventDefault();
    const id = point.dataset.id;
    const item = ed.store.item(id);
    const chart = point.ownerSVGElement;
    const box = chart.getBoundingClientRect();
    const scale = box.height / H;
    const x = point.transform.baseVal[0].matrix.e;
    let score = item.score ?? 0;
    point.focus({ preventScroll: true });
    point.classList.add("jm-dragging");
    point.setPointerCapture(event.pointerId);
    const move = (e) => {
      const y = (e.clientY - box.top) / scale;
      score = Math.max(-2, Math.min(2, Math.round((MID - y) / STEP)));
      point.setAttribute("transform", `translate(${x} ${Math.max(12, Math.min(H - 12, y))})`);
      point.setAttribute("aria-valuenow", score);
    };
    const up = () => {
      point.removeEventListener("pointermove", move);
      point.removeEventListener("pointerup", up);
      point.removeEventListener("pointercancel", up);
      point.classList.remove("jm-dragging");
      select({ type: "item", id });
      if (score !== (item.score ?? 0)) setScore(id, score);
      else point.setAttribute("transform", `translate(${x} ${yOf(score)})`);
    };
    point.addEventListener("pointermove", move);
    point.addEventListener("pointerup", up);
    point.addEventListener("pointercancel", up);
  });
}
