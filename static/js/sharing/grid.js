// A read-only journey grid: stages as columns, lanes as rows, items as cards.
// `marks` highlights a comparison: ids added / changed, and removed rows drawn in place.
import { el } from "./common.js";

function byPosition(a, b) {
  return a.position < b.position ? -1 : a.position > b.position ? 1 : a.id < b.id ? -1 : 1;
}

export function itemLabel(item) {
  switch (item.kind) {
    case "emotion": {
      const score = item.score > 0 ? `+${item.score}` : String(item.score ?? 0);
      return [score, item.note || item.text].filter(Boolean).join(" · ");
    }
    case "metric": {
      const value = item.value ?? "–";
      const target = item.target != null ? ` / ${item.target}` : "";
      return `${item.name || item.text || ""}: ${value}${target} ${item.unit || ""}`.trim();
    }
    case "touchpoint":
      return item.text || item.channel || "";
    case "action":
      return [item.text, item.owner && `(${item.owner})`].filter(Boolean).join(" ");
    default:
      return item.text || "";
  }
}

function mark(id, marks) {
  if (!marks) return "";
  if (marks.removed.has(id)) return "jm-sh-removed";
  if (marks.added.has(id)) return "jm-sh-added";
  if (marks.changed.has(id)) return "jm-sh-changed";
  return "";
}

function cardNode(item, marks, count, pickable) {
  return el(
    "div",
    {
      class: `jm-sh-card jm-sh-${item.kind} ${mark(item.id, marks)}`,
      style: item.color ? `border-left-color:${item.color}` : null,
      dataset: { id: item.id },
      ...(pickable ? { tabindex: "0", role: "button" } : {}),
    },
    itemLabel(item),
    count ? el("span", { class: "jm-sh-comments", title: String(count) }, String(count)) : null,
  );
}

// Phones: each lane a heading over a row of its stages that swipes sideways, one stage per
// screen (CSS scroll snapping); the table is hidden there, this list everywhere else.
function phoneLayout(stages, lanes, cells, comments, marks, pickable) {
  const rows = lanes.map((lane) =>
    el(
      "section",
      { class: "jm-sh-phone-row", "aria-label": lane.title },
      el("h2", { class: `jm-sh-phone-lane-title ${mark(lane.id, marks)}` }, lane.title),
      el(
        "ol",
        // A row that scrolls sideways must be reachable by keyboard: its cards are when they
        // are buttons, the row itself otherwise.
        { class: "jm-sh-phone-lane", ...(pickable ? {} : { tabindex: "0", "aria-label": lane.title }) },
        ...stages.map((stage, index) =>
          el(
            "li",
            { class: "jm-sh-phone-stage", style: stage.color ? `border-top-color:${stage.color}` : null },
            el("h3", { class: "jm-sh-phone-stage-name" }, `${index + 1}. ${stage.name}`),
            ...(cells.get(`${lane.id}|${stage.id}`) || []).map((item) =>
              cardNode(item, marks, comments.get(item.id), pickable),
            ),
          ),
        ),
      ),
    ),
  );
  return el("div", { class: "jm-sh-phone" }, ...rows);
}

export function renderGrid(container, doc, marks = null, { pickable = false } = {}) {
  const stages = [...doc.stages, ...(marks ? marks.removedRows.stages : [])].sort(byPosition);
  const lanes = [...doc.lanes, ...(marks ? marks.removedRows.lanes : [])].sort(byPosition);
  const items = [...doc.items, ...(marks ? marks.removedRows.items : [])].sort(byPosition);
  const comments = new Map();
  for (const comment of doc.comments || []) {
    const key = comment.item || comment.stage;
    if (key && !comment.resolved) comments.set(key, (comments.get(key) || 0) + 1);
  }
  const cells = new Map();
  for (const item of items) {
    const key = `${item.lane}|${item.stage}`;
    if (!cells.has(key)) cells.set(key, []);
    cells.get(key).push(item);
  }
  const head = el("tr", {}, el("td", { class: "jm-sh-corner" })); // no header: an empty th confuses readers
  for (const stage of stages) {
    const count = comments.get(stage.id);
    head.append(
      el(
        "th",
        {
          class: `jm-sh-stage ${mark(stage.id, marks)}`,
          scope: "col",
          style: stage.color ? `border-top-color:${stage.color}` : null,
          dataset: { id: stage.id },
        },
        stage.name,
        count ? el("span", { class: "jm-sh-comments", title: String(count) }, String(count)) : null,
      ),
    );
  }
  const body = el("tbody");
  for (const lane of lanes) {
    const row = el(
      "tr",
      { dataset: { id: lane.id } },
      el("th", { class: `jm-sh-lane ${mark(lane.id, marks)}`, scope: "row" }, lane.title),
    );
    for (const stage of stages) {
      const cell = el("td", { class: "jm-sh-cell" });
      for (const item of cells.get(`${lane.id}|${stage.id}`) || []) {
        cell.append(cardNode(item, marks, comments.get(item.id), pickable));
      }
      row.append(cell);
    }
    body.append(row);
  }
  container.replaceChildren(
    el("table", { class: "jm-sh-grid" }, el("thead", {}, head), body),
    phoneLayout(stages, lanes, cells, comments, marks, pickable),
  );
}

// Marks for renderGrid from a /compare/ answer.
export function compareMarks(diff) {
  const marks = {
    added: new Set(),
    changed: new Set(),
    removed: new Set(),
    removedRows: { stages: [], lanes: [], items: [] },
  };
  for (const key of ["stages", "lanes", "items"]) {
    for (const row of diff[key].added) marks.added.add(row.id);
    for (const row of diff[key].changed) marks.changed.add(row.id);
    for (const row of diff[key].removed) {
      marks.removed.add(row.id);
      marks.removedRows[key].push(row);
    }
  }
  return marks;
}
