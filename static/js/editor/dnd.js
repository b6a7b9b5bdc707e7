// Drag and drop with pointer events (mouse, pen and touch alike): cards between cells,
// stages along the header, lanes up and down. Nothing is redrawn while dragging; the drop
// becomes one move op.
import { ed, commit } from "./editor.js";
import { keyAt, byPosition } from "./keys.js";
import { itemKindForLane } from "./state.js";

const THRESHOLD = 5;

function startGhost(source, event) {
  const box = source.getBoundingClientRect();
  const ghost = source.cloneNode(true);
  ghost.classList.add("jm-ghost");
  ghost.removeAttribute("tabindex");
  ghost.style.width = `${box.width}px`;
  document.body.append(ghost);
  return { ghost, dx: event.clientX - box.left, dy: event.clientY - box.top };
}

function placeGhost(g, event) {
  g.ghost.style.transform = `translate(${event.clientX - g.dx}px, ${event.clientY - g.dy}px)`;
}

function marker() {
  let line = document.getElementById("jm-drop-marker");
  if (!line) {
    line = document.createElement("div");
    line.id = "jm-drop-marker";
    document.body.append(line);
  }
  return line;
}

function showMarker(rect, vertical) {
  const line = marker();
  line.className = vertical ? "jm-vertical" : "";
  line.style.cssText = vertical
    ? `left:${rect.x - 2}px;top:${rect.top}px;height:${rect.height}px;`
    : `left:${rect.left}px;top:${rect.y - 2}px;width:${rect.width}px;`;
  line.hidden = false;
}

function hideMarker() {
  marker().hidden = true;
}

// Where among `elements` (sorted) the pointer falls: index of insertion and the marker line.
function slot(elements, event, vertical, container) {
  let index = elements.length;
  for (let i = 0; i < elements.length; i += 1) {
    const r = elements[i].getBoundingClientRect();
    const mid = vertical ? r.left + r.width / 2 : r.top + r.height / 2;
    if ((vertical ? event.clientX : event.clientY) < mid) { index = i; break; }
  }
  const c = container.getBoundingClientRect();
  let at;
  if (elements.length === 0) at = vertical ? c.left : c.top + 6;
  else if (index < elements.length) {
    const r = elements[index].getBoundingClientRect();
    at = vertical ? r.left : r.top - 3;
  } else {
    const r = elements[elements.length - 1].getBoundingClientRect();
    at = vertical ? r.right : r.bottom + 3;
  }
  return { index, rect: vertical ? { x: at, top: c.top, height: c.height } : { y: at, left: c.left + 6, width: c.width - 12 } };
}

function dragCard(card, event) {
  const id = card.dataset.id;
  const item = ed.store.item(id);
  const g = startGhost(card, event);
  card.classList.add("jm-drag-source");
  let target = null;
  return {
    move(e) {
      placeGhost(g, e);
      const under = document.elementFromPoint(e.clientX, e.clientY);
      const cell = under && under.closest(".jm-cell");
      if (!cell || itemKindForLane(ed.store.lane(cell.dataset.lane).kind) !== item.kind) {
        target = null;
        hideMarker();
        return;
      }
      const cards = [...cell.querySelectorAll(".jm-card")].filter((c) => c !== card);
      const s = slot(cards, e, false, cell);
      target = { cell, index: s.index };
      showMarker(s.rect, false);
    },
    drop() {
      g.ghost.remove();
      card.classList.remove("jm-drag-source");
      hideMarker();
      if (!target) return;
      const { lane, stage } = target.cell.dataset;
      const siblings = ed.store.cellItems(lane, stage).filter((i) => i.id !== id);
      const position = keyAt(siblings, target.index);
      const op = { type: "item.move", id, position };
      if (lane !== item.lane) op.lane = lane;
      if (stage !== item.stage) op.stage = stage;
      const samePlace = lane === item.lane && stage === item.stage &&
        ed.store.cellItems(lane, stage).findIndex((i) => i.id === id) === target.index;
      if (!samePlace) commit([op]);
    },
  };
}

function dragHeader(head, event, isStage) {
  const id = isStage ? head.dataset.stage : head.dataset.lane;
  const selector = isStage ? ".jm-stage-head" : ".jm-lane-title";
  const g = startGhost(head, event);
  head.classList.add("jm-drag-source");
  let index = null;
  const container = document.getElementById("jm-grid");
  return {
    move(e) {
      placeGhost(g, e);
      const others = [...container.querySelectorAll(selector)].filter((h) => h !== head);
      const s = slot(others, e, isStage, container);
      index = s.index;
      showMarker(s.rect, isStage);
    },
    drop() {
      g.ghost.remove();
      head.classList.remove("jm-drag-source");
      hideMarker();
      if (index === null) return;
      const list = (isStage ? ed.store.stages() : ed.store.lanes());
      const siblings = list.filter((x) => x.id !== id).sort(byPosition);
      if (list.findIndex((x) => x.id === id) === index) return;
      commit([{ type: isStage ? "stage.move" : "lane.move", id, position: keyAt(siblings, index) }]);
    },
  };
}

// Near an edge of the scrolling area the map scrolls, so a card can travel to any stage.
function autoScroll(state) {
  const scroller = document.getElementById("jm-scroll");
  const box = scroller.getBoundingClientRect();
  const edge = 48;
  const speed = (d) => (d < edge ? Math.ceil((edge - d) / 3) : 0);
  const tick = () => {
    if (!state.active) return;
    const { x, y } = state.pointer;
    const dx = speed(x - box.left - 200) * -1 + speed(box.right - x);
    const dy = speed(y - box.top - 60) * -1 + speed(box.bottom - y);
    if (dx || dy) scroller.scrollBy(dx, dy);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

export function initDragAndDrop(root) {
  root.addEventListener("pointerdown", (event) => {
    if (!ed.canEdit || event.button !== 0) return;
    if (event.target.closest("a, button, input, textarea, select, .jm-editing, .jm-emo-point")) return;
    const card = event.target.closest(".jm-card");
    const stageHead = event.target.closest(".jm-stage-head");
    const laneHead = event.target.closest(".jm-lane-title");
    const source = card || stageHead || laneHead;
    if (!source) return;
    const startX = event.clientX;
    const startY = event.clientY;
    let drag = null;
    const scroll = { active: false, pointer: { x: startX, y: startY } };
    const move = (e) => {
      scroll.pointer = { x: e.clientX, y: e.clientY };
      if (!drag) {
        if (Math.abs(e.clientX - startX) + Math.abs(e.clientY - startY) < THRESHOLD) return;
        drag = card ? dragCard(card, e) : dragHeader(source, e, Boolean(stageHead));
        document.body.classList.add("jm-dragging-any");
        scroll.active = true;
        autoScroll(scroll);
      }
      e.preventDefault();
      drag.move(e);
    };
    const up = () => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
      window.removeEventListener("pointercancel", up);
      document.body.classList.remove("jm-dragging-any");
      scroll.active = false;
      if (drag) drag.drop();
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up);
    window.addEventListener("pointercancel", up);
  });
}
