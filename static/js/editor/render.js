// Drawing the map: a grid with stages as columns and lanes as rows, each lane kind drawn as
// itself. Whole redraws for structural changes, one lane row for item changes.
import { ed } from "./editor.js";
import { el, icon, initials, legible, safeColor } from "./dom.js";
import { _, fmt } from "./i18n.js";
import { laneHint, LANE_ACCENT } from "./lanes.js";
import { renderEmotionLane } from "./emotion.js";

export const COL_W = 264;
const afterRender = [];
export function onAfterRender(callback) {
  afterRender.push(callback);
}

function channelOf(key) {
  return ed.config.channels.find((c) => c.key === key);
}

export function channelName(channel) {
  if (!channel) return "";
  return document.documentElement.lang.startsWith("vi") ? channel.vi : channel.en;
}

function laneKindLabel(kind) {
  const found = ed.config.laneKinds.find((k) => k.key === kind);
  return found ? found.label : kind;
}

function dots(label, value) {
  const wrap = el("span", { class: "jm-meter", title: `${label}: ${value ?? "–"}/5`, "aria-label": `${label}: ${value ?? "–"}/5` });
  wrap.append(el("span", { class: "jm-meter-label", text: label }));
  for (let i = 1; i <= 5; i += 1) wrap.append(el("span", { class: i <= (value || 0) ? "jm-dot jm-on" : "jm-dot" }));
  return wrap;
}

function number(value) {
  if (value === null || value === undefined || value === "") return "–";
  return new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: 2 }).format(value);
}

const STATUS_LABEL = () => ({ todo: _("To do"), doing: _("In progress"), done: _("Done") });
const TREND = { up: "↑", down: "↓", flat: "→" };

function cardBody(item) {
  const parts = [];
  if (item.kind === "touchpoint") {
    const channel = channelOf(item.channel);
    const online = item.online ?? (channel ? channel.online : null);
    parts.push(el("div", { class: "jm-card-meta" },
      channel ? icon(ed.config.icons[channel.icon] || ed.config.icons.dot, 15) : null,
      el("span", { class: "jm-channel", text: channel ? channelName(channel) : _("No channel yet") }),
      online === null ? null : el("span", { class: online ? "jm-pill jm-online" : "jm-pill jm-offline", text: online ? _("Online") : _("Offline") })));
    parts.push(el("p", { class: "jm-card-text", text: item.text || "" }));
    const foot = el("div", { class: "jm-card-foot" });
    if (item.owner) foot.append(el("span", { class: "jm-owner", title: item.owner, text: item.owner }));
    if (item.impact || item.importance) foot.append(dots(_("Impact"), item.impact), dots(_("Importance"), item.importance));
    if (foot.childNodes.length) parts.push(foot);
  } else if (item.kind === "metric") {
    parts.push(el("p", { class: "jm-metric-name", text: item.name || item.text || _("Unnamed metric") }));
    const unit = item.unit ? ` ${item.unit}` : "";
    const value = el("div", { class: "jm-metric-values" },
      el("strong", { class: "jm-metric-value", text: number(item.value) + unit }),
      el("span", { class: "jm-metric-target", text: fmt(_("target %(target)s"), { target: number(item.target) + unit }) }),
      item.trend ? el("span", { class: `jm-trend jm-trend-${item.trend}`, text: TREND[item.trend] || "", "aria-label": item.trend }) : null);
    parts.push(value);
    if (typeof item.value === "number" && typeof item.target === "number" && item.target !== 0) {
      const ratio = Math.max(0, Math.min(1, item.value / item.target));
      parts.push(el("div", { class: "jm-progress", role: "img", "aria-label": `${Math.round(ratio * 100)}%` },
        el("span", { style: `width:${(ratio * 100).toFixed(1)}%` })));
    }
    if (item.name && item.text) parts.push(el("p", { class: "jm-card-note", text: item.text }));
  } else if (item.kind === "action") {
    parts.push(el("p", { class: "jm-card-text", text: item.text || "" }));
    const foot = el("div", { class: "jm-card-foot" });
    if (item.owner) foot.append(el("span", { class: "jm-owner", text: item.owner }));
    if (item.due) {
      const overdue = item.status !== "done" && item.due < new Date().toISOString().slice(0, 10);
      foot.append(el("span", { class: overdue ? "jm-due jm-overdue" : "jm-due", text: item.due }));
    }
    foot.append(el("span", { class: `jm-pill jm-status-${item.status || "todo"}`, text: STATUS_LABEL()[item.status || "todo"] }));
    parts.push(foot);
  } else {
    parts.push(el("p", { class: "jm-card-text", text: item.text || "" }));
    const scores = opportunityFoot(item);
    if (scores) parts.push(scores);
  }
  return parts;
}

// An opportunity card's scores and workflow status (set here or in the portfolio).
const OPPORTUNITY_LABEL = () => ({ idea: _("Idea"), planned: _("Planned"), in_progress: _("In progress"), done: _("Done"), dropped: _("Dropped") });
function opportunityFoot(item) {
  if (item.impact == null && item.effort == null && !item.status) return null;
  const foot = el("div", { class: "jm-card-foot jm-opportunity-foot" });
  if (item.impact != null) foot.append(el("span", { class: "jm-pill jm-score", "data-score": "impact", text: fmt(_("Impact %(value)s"), { value: item.impact }) }));
  if (item.effort != null) foot.append(el("span", { class: "jm-pill jm-score", "data-score": "effort", text: fmt(_("Effort %(value)s"), { value: item.effort }) }));
  if (item.status) foot.append(el("span", { class: `jm-pill jm-opportunity-${item.status}`, text: OPPORTUNITY_LABEL()[item.status] || item.status }));
  if (item.owner) foot.append(el("span", { class: "jm-owner", text: item.owner }));
  return foot;
}

// A card is a button named by its text and described by its lane and stage headers, so a
// screen reader says where it is (the grid's own header announcements vary by reader).
export function renderCard(item) {
  const label = item.kind === "metric" ? item.name || item.text : item.text;
  const card = el("div", {
    class: `jm-card jm-kind-${item.kind}${item.evidence === "assumption" ? "" : " jm-evidenced"}`,
    "data-id": item.id, tabindex: "0", role: "button", lang: label ? ed.config.language : null,
    "aria-label": label || _("Empty card"),
    "aria-describedby": `jm-lane-${item.lane} jm-stage-${item.stage}`,
    "aria-current": ed.selection && ed.selection.id === item.id ? "true" : null,
  }, ...cardBody(item));
  const color = safeColor(item.color);
  if (color) card.style.setProperty("--jm-card-accent", color);
  if (!label) card.classList.add("jm-empty-card");
  return card;
}

// A stage detailed by another map: a chip that opens it (maps/subjourneys.py).
export function subjourneyTitle(mapId) {
  const found = (ed.config.maps || []).find((m) => m.id === mapId);
  return found ? found.title : null;
}

function subjourneyChip(mapId) {
  const title = subjourneyTitle(mapId);
  return el("a", {
    class: "jm-subjourney-chip", href: `/maps/${encodeURIComponent(mapId)}/`,
    title: title ? fmt(_("Open the sub-journey “%(title)s”"), { title }) : _("Sub-journey you cannot open"),
    "data-subjourney": mapId,
  }, el("span", { class: "jm-subjourney-icon", "aria-hidden": "true", text: "↳" }),
  el("span", { class: "jm-subjourney-title", text: title || _("Sub-journey") }));
}

function stageHead(stage, index) {
  const color = safeColor(stage.color);
  const count = ed.store.doc.items.filter((i) => i.stage === stage.id).length;
  const head = el("div", {
    class: "jm-stage-head", "data-stage": stage.id, tabindex: "0", role: "columnheader", id: `jm-stage-${stage.id}`,
    "aria-label": fmt(_("Stage %(n)s: %(name)s"), { n: index + 1, name: stage.name }),
    style: color ? `--jm-stage-color:${color}` : null,
  },
  ed.canEdit ? el("span", { class: "jm-handle", "aria-hidden": "true", title: _("Drag to reorder") }, "⋮⋮") : null,
  el("span", { class: "jm-stage-num", text: String(index + 1) }),
  el("span", { class: "jm-stage-name", lang: ed.config.language, text: stage.name }),
  stage.phase ? el("span", { class: "jm-pill jm-phase", text: { before: _("Before"), during: _("During"), after: _("After") }[stage.phase] || "" }) : null,
  el("span", { class: "jm-count", text: String(count), title: _("Items in this stage") }),
  stage.subjourney ? subjourneyChip(stage.subjourney) : null);
  return head;
}

function laneTitle(lane) {
  const accent = LANE_ACCENT[lane.kind] || LANE_ACCENT.text;
  return el("div", {
    class: "jm-lane-title", "data-lane": lane.id, tabindex: "0", role: "rowheader", id: `jm-lane-${lane.id}`,
    "aria-label": `${lane.title} (${laneKindLabel(lane.kind)})`, style: `--jm-lane-accent:${accent}`,
  },
  ed.canEdit ? el("span", { class: "jm-handle", "aria-hidden": "true", title: _("Drag to reorder") }, "⋮⋮") : null,
  el("span", { class: "jm-lane-name", lang: ed.config.language, text: lane.title }),
  laneKindLabel(lane.kind) === lane.title ? null : el("span", { class: "jm-lane-kind", text: laneKindLabel(lane.kind) }),
  el("span", { class: "jm-lane-desc", text: lane.description || laneHint(lane.kind), title: lane.description || laneHint(lane.kind) }));
}

function laneRow(lane, stages) {
  const row = el("div", { class: `jm-gridrow jm-lane-row jm-lane-${lane.kind}`, "data-lane": lane.id, role: "row" });
  row.append(laneTitle(lane));
  if (lane.kind === "emotions") {
    row.append(renderEmotionLane(lane, stages));
    row.append(el("div", { class: "jm-tail", role: "gridcell" }));
    return row;
  }
  const laneItems = ed.store.doc.items.filter((i) => i.lane === lane.id);
  const byStage = new Map(stages.map((s) => [s.id, []]));
  for (const item of laneItems) if (byStage.has(item.stage)) byStage.get(item.stage).push(item);
  stages.forEach((stage, index) => {
    const items = byStage.get(stage.id).sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : a.id < b.id ? -1 : 1));
    const cell = el("div", { class: "jm-cell", role: "gridcell", "data-lane": lane.id, "data-stage": stage.id,
      "aria-label": `${lane.title} · ${stage.name}` });
    for (const item of items) cell.append(renderCard(item));
    if (!laneItems.length && index === 0) cell.append(el("p", { class: "jm-ed-hint", text: laneHint(lane.kind) }));
    if (ed.canEdit) {
      cell.append(el("button", { type: "button", class: "jm-add-card", "data-action": "add-card",
        "aria-label": fmt(_("Add to %(lane)s in %(stage)s"), { lane: lane.title, stage: stage.name }) }, "+"));
    }
    row.append(cell);
  });
  row.append(el("div", { class: "jm-tail", role: "gridcell" }));
  return row;
}

function emptyMap() {
  return el("div", { class: "jm-empty-map" },
    el("h2", { text: _("Start your journey map") }),
    el("p", { text: _("Stages are the columns: the steps a customer goes through, before, during and after the purchase. Lanes are the rows: what they do, think and feel, and where they meet you.") }),
    ed.canEdit ? el("div", { class: "jm-empty-actions" },
      el("button", { type: "button", class: "jm-btn jm-btn-primary", "data-action": "add-stage" }, _("Add the first stage")),
      el("button", { type: "button", class: "jm-btn", "data-action": "add-lane" }, _("Add a lane"))) : null);
}

export function gridColumns(count) {
  return `var(--jm-title-w) repeat(${count}, ${COL_W}px) var(--jm-tail-w)`;
}

// Phones: each lane a heading over a sideways-swiping row of its stages, one per screen (CSS
// scroll snapping), read-only; the emotion curve is fitted to the width with its values listed.
function phoneLayout(stages, lanes) {
  return lanes.map((lane, laneIndex) => {
    const title = el("h2", { class: "jm-ph-lane-title", id: `jm-lane-${lane.id}`, "data-lane": lane.id,
      "aria-label": lane.title, style: `--jm-lane-accent:${LANE_ACCENT[lane.kind] || LANE_ACCENT.text}` }, lane.title);
    if (lane.kind === "emotions") {
      const area = renderEmotionLane(lane, stages);
      area.removeAttribute("role"); // a gridcell only inside the grid's rows
      return el("section", { class: "jm-ph-lane jm-ph-emotions", "aria-labelledby": title.id }, title, area);
    }
    const panels = stages.map((stage, index) => {
      // Ids stay unique: the first lane's stage headings carry the ids the emotion points cite.
      const headId = laneIndex ? `jm-ph-${lane.id}-${stage.id}` : `jm-stage-${stage.id}`;
      const cards = ed.store.cellItems(lane.id, stage.id).map((item) => {
        const card = renderCard(item);
        card.setAttribute("aria-describedby", `${title.id} ${headId}`);
        return card;
      });
      return el("li", { class: "jm-ph-stage", style: safeColor(stage.color) ? `--jm-stage-color:${stage.color}` : null },
        el("h3", { class: "jm-ph-stage-name", id: headId, "aria-label": stage.name, text: `${index + 1}. ${stage.name}` }),
        ...(cards.length ? cards : [el("p", { class: "jm-ph-empty", text: "–" })]));
    });
    return el("section", { class: `jm-ph-lane jm-lane-${lane.kind}`, "aria-labelledby": title.id }, title, el("ol", { class: "jm-ph-stages" }, ...panels));
  });
}

export function renderAll() {
  const grid = document.getElementById("jm-grid");
  const stages = ed.store.stages();
  const lanes = ed.store.lanes();
  if (ed.phone && stages.length) {
    grid.removeAttribute("role");
    grid.setAttribute("aria-busy", "false");
    grid.replaceChildren(...phoneLayout(stages, lanes));
    finish();
    return;
  }
  grid.setAttribute("aria-busy", "false");
  grid.style.setProperty("--jm-cols", gridColumns(stages.length));
  grid.style.setProperty("--jm-zoom", String(ed.zoom));
  if (!stages.length && !lanes.length) {
    grid.replaceChildren(emptyMap());
    finish();
    return;
  }
  const head = el("div", { class: "jm-gridrow jm-head-row", role: "row" },
    el("div", { class: "jm-corner", role: "columnheader" }, el("span", { text: _("Lanes") }), el("span", { class: "jm-corner-stages", text: _("Stages →") })));
  stages.forEach((stage, index) => head.append(stageHead(stage, index)));
  head.append(el("div", { class: "jm-tail", role: "gridcell" }, ed.canEdit
    ? el("button", { type: "button", class: "jm-add-col", "data-action": "add-stage", "aria-label": _("Add a stage"), title: _("Add a stage") }, "+")
    : null));
  const rows = [head];
  for (const lane of lanes) rows.push(laneRow(lane, stages));
  if (!lanes.length) rows.push(el("div", { class: "jm-gridrow jm-note-row", role: "row" }, el("p", { class: "jm-ed-hint", role: "gridcell", text: _("No lanes yet. Add a lane for what customers do, feel or where they meet you.") })));
  if (ed.canEdit) {
    rows.push(el("div", { class: "jm-gridrow jm-add-lane-row", role: "row" }, el("div", { role: "gridcell" },
      el("button", { type: "button", class: "jm-btn jm-btn-ghost", "data-action": "add-lane" }, `+ ${_("Add a lane")}`))));
  }
  grid.replaceChildren(...rows);
  finish();
}

export function renderLane(laneId) {
  const lane = ed.store.lane(laneId);
  const old = document.querySelector(`.jm-lane-row[data-lane="${CSS.escape(laneId)}"]`);
  if (!lane || !old) return renderAll();
  const focusedId = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.id : null;
  old.replaceWith(laneRow(lane, ed.store.stages()));
  // Stage counts may have changed.
  for (const head of document.querySelectorAll(".jm-stage-head")) {
    const count = ed.store.doc.items.filter((i) => i.stage === head.dataset.stage).length;
    head.querySelector(".jm-count").textContent = String(count);
  }
  finish(focusedId);
}

// One card changed: swap its element, keeping focus where it was.
export function renderItem(itemId) {
  const item = ed.store.item(itemId);
  const old = document.querySelector(`.jm-card[data-id="${CSS.escape(itemId)}"]`);
  if (!item || !old) return renderAll();
  const hadFocus = document.activeElement === old;
  old.replaceWith(renderCard(item));
  finish(hadFocus ? itemId : null);
}

function finish(focusedId) {
  if (focusedId) {
    const again = document.querySelector(`[data-id="${CSS.escape(focusedId)}"]`);
    if (again) again.focus({ preventScroll: true });
  }
  rove();
  for (const callback of afterRender) callback();
}

// The map is one Tab stop (the ARIA grid pattern): only the last focused card, header or add
// button is in the Tab order; arrows move inside (interact.js). Kept across redraws by a key.
export const GRID_FOCUSABLE = ".jm-card[data-id], .jm-stage-head, .jm-lane-title, .jm-add-card, .jm-emo-point, .jm-add-col, .jm-add-lane-row button";

export function roveKey(node) {
  if (node.dataset.id) return `[data-id="${CSS.escape(node.dataset.id)}"]`;
  if (node.classList.contains("jm-stage-head")) return `.jm-stage-head[data-stage="${CSS.escape(node.dataset.stage)}"]`;
  if (node.classList.contains("jm-lane-title")) return `.jm-lane-title[data-lane="${CSS.escape(node.dataset.lane)}"]`;
  if (node.classList.contains("jm-add-col")) return ".jm-add-col";
  if (node.closest(".jm-add-lane-row")) return ".jm-add-lane-row button";
  const place = node.dataset.lane ? node : node.closest(".jm-cell");
  if (!place) return null;
  return `.jm-add-card[data-lane="${CSS.escape(place.dataset.lane)}"][data-stage="${CSS.escape(place.dataset.stage)}"], `
    + `.jm-cell[data-lane="${CSS.escape(place.dataset.lane)}"][data-stage="${CSS.escape(place.dataset.stage)}"] .jm-add-card`;
}

export function rove(active = null) {
  const grid = document.getElementById("jm-grid");
  // Phones have no grid: each lane's swiping row keeps its cards in the Tab order.
  if (!grid || ed.phone) return;
  const nodes = [...grid.querySelectorAll(GRID_FOCUSABLE)];
  if (active) ed.roving = roveKey(active);
  const current = active || (ed.roving && grid.querySelector(ed.roving)) || nodes[0];
  for (const node of nodes) node.setAttribute("tabindex", node === current ? "0" : "-1");
}

export function renderPersonas() {
  const box = document.getElementById("jm-personas");
  const personas = ed.store.doc.personas || [];
  if (!personas.length) {
    box.replaceChildren(el("p", { class: "jm-persona-empty", text: _("No persona on this map yet. A journey is always someone's: attach a persona in the map settings.") }));
    return;
  }
  box.replaceChildren(...personas.map((p) => {
    const color = safeColor(p.color) || "#6366f1";
    const avatar = p.photo
      ? el("img", { class: "jm-ed-avatar", src: p.photo, alt: "" })
      : el("span", { class: "jm-ed-avatar", style: `background:${legible(color).background};color:${legible(color).ink}`, "aria-hidden": "true", text: initials(p.name) });
    return el("article", { class: "jm-ed-persona", style: `--jm-persona:${color}`, "aria-label": p.name },
      avatar,
      el("div", { class: "jm-persona-text" },
        el("h2", { class: "jm-ed-persona-name", text: p.name }),
        p.segment || p.job_title ? el("p", { class: "jm-persona-role", text: [p.job_title, p.segment].filter(Boolean).join(" · ") }) : null,
        p.quote ? el("blockquote", { class: "jm-persona-quote", text: `“${p.quote}”` }) : null));
  }));
}
