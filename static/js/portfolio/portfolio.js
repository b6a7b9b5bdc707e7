// The opportunity portfolio page: every opportunity card and action item of the maps the user
// may read (portfolio/views.py brings the first data), as a 2×2 impact/effort matrix, a
// sortable table or a board by status. Every edit is a PATCH to the portfolio API, which makes
// it one change on the card's map (open editors see it live). Editors' changes reach this page
// by polling the API every few seconds with If-None-Match: a 304 costs two queries.
import { el, safeColor } from "../editor/dom.js";
import { _, fmt } from "../editor/i18n.js";

const POLL_MS = 4000;
const config = JSON.parse(document.getElementById("jm-portfolio-config").textContent);
const root = document.getElementById("jm-portfolio");
const form = document.querySelector(".jm-ls-filters");
const live = document.querySelector(".jm-pf-live");
const STATUSES = Object.keys(config.statuses);
const state = { view: "matrix", map: "", persona: "", status: "", owner: "", sort: "priority", desc: true, dragging: false };
let data = config.portfolio;
let maps = new Map();
let actions = new Map();

function index() {
  maps = new Map(data.maps.map((m) => [m.id, m]));
  actions = new Map(data.actions.map((a) => [a.id, a]));
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

const number = (value) => new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: 1 }).format(value);
const canEdit = (o) => Boolean(maps.get(o.map)?.can_edit);
const scored = (o) => o.impact !== null && o.effort !== null;

function dateText(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(document.documentElement.lang || undefined, { day: "numeric", month: "short", year: "numeric" }).format(new Date(`${iso}T00:00:00`));
}

// ------------------------------------------------------------------ filters

function options(select, entries) {
  const keep = select.value;
  select.replaceChildren(select.options[0]);
  for (const [value, label] of entries) select.append(el("option", { value, text: label }));
  select.value = [...select.options].some((o) => o.value === keep) ? keep : "";
}

function fillFilters() {
  const personas = new Map();
  for (const m of data.maps) for (const p of m.personas) personas.set(p.id, p.name);
  const owners = new Set(data.opportunities.map((o) => o.owner).filter(Boolean));
  const byName = (a, b) => a[1].localeCompare(b[1]);
  options(form.elements.map, data.maps.map((m) => [m.id, m.title]));
  options(form.elements.persona, [...personas.entries()].sort(byName));
  options(form.elements.status, Object.entries(config.statuses));
  options(form.elements.owner, [...owners].sort().map((o) => [o, o]));
}

function visible() {
  return data.opportunities.filter((o) => {
    if (state.map && o.map !== state.map) return false;
    if (state.persona && !maps.get(o.map).personas.some((p) => p.id === state.persona)) return false;
    if (state.status && o.status !== state.status) return false;
    if (state.owner && o.owner !== state.owner) return false;
    return true;
  });
}

// ------------------------------------------------------------------ writing

async function save(o, fields) {
  const url = `${config.api}opportunities/${o.id}/`;
  let response;
  try {
    response = await fetch(url, {
      method: "PATCH", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: JSON.stringify(fields),
    });
  } catch {
    announce(_("Could not save: the server did not answer."));
    return;
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    announce(fmt(_("Not saved: %(message)s"), { message: body.message || response.status }));
    render();
    return;
  }
  Object.assign(o, body.opportunity, { solutions: o.solutions });
  announce(fmt(_("Saved to “%(map)s”."), { map: maps.get(o.map).title }));
  render();
}

// Solution links: an action item (on a map the user edits) addressing an opportunity.
async function send(method, url, body) {
  try {
    const response = await fetch(url, {
      method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.ok) return true;
    const answer = await response.json().catch(() => ({}));
    announce(fmt(_("Not saved: %(message)s"), { message: answer.message || response.status }));
  } catch {
    announce(_("Could not save: the server did not answer."));
  }
  return false;
}

async function linkSolution(o, actionId) {
  if (await send("POST", `${config.api}links/`, { action: actionId, opportunity: o.id })) {
    announce(_("Solution linked."));
    await refresh();
  }
}

async function unlinkSolution(linkId) {
  if (await send("DELETE", `${config.api}links/${linkId}/`)) {
    announce(_("Solution unlinked."));
    await refresh();
  }
}

function solutionsCell(o) {
  const links = new Map(data.links.filter((l) => l.opportunity === o.id).map((l) => [l.action, l.id]));
  const list = el("ul", { class: "jm-pf-solution-list", role: "list" }, ...(o.solutions || []).map((id) => {
    const action = actions.get(id);
    const linkId = links.get(id);
    const removable = linkId && maps.get(action.map)?.can_edit;
    return el("li", { class: "jm-pf-solution" },
      el("span", { text: action.text, title: `${maps.get(action.map).title} · ${action.stage_name}` }),
      removable ? el("button", { type: "button", class: "jm-pf-unlink", "data-link": linkId, "aria-label": fmt(_("Unlink “%(text)s”"), { text: action.text }), text: "×" }) : null);
  }));
  const candidates = data.actions.filter((a) => maps.get(a.map)?.can_edit && !(o.solutions || []).includes(a.id));
  if (!candidates.length) return el("td", {}, list);
  const picker = el("select", { class: "jm-pf-link-select", "aria-label": fmt(_("Link an action item to “%(text)s”"), { text: o.text }) },
    el("option", { value: "", text: _("+ Link an action…") }));
  for (const m of data.maps.filter((x) => x.can_edit)) {
    const own = candidates.filter((a) => a.map === m.id);
    if (own.length) picker.append(el("optgroup", { label: m.title }, ...own.map((a) => el("option", { value: a.id, text: a.text }))));
  }
  picker.addEventListener("change", () => { if (picker.value) linkSolution(o, picker.value); });
  return el("td", {}, list, picker);
}

function announce(text) {
  live.textContent = text;
}

// ------------------------------------------------------------------ pieces

function statusBadge(o) {
  return el("span", { class: `jm-pf-status jm-pf-status-${o.status}`, text: config.statuses[o.status] || o.status });
}

function priorityBadge(o) {
  if (o.priority === null) return el("span", { class: "jm-pf-priority jm-pf-unscored", text: _("Not scored") });
  return el("span", { class: "jm-pf-priority", title: _("Priority: reach × impact × confidence ÷ effort") }, _("Priority"), " ", el("strong", { text: number(o.priority) }));
}

function origin(o) {
  const m = maps.get(o.map);
  const dots = m.personas.map((p) => el("span", { class: "jm-pf-dot", style: `--persona:${safeColor(p.color) || "#94a3b8"}`, title: p.name }));
  return el("p", { class: "jm-pf-origin" },
    el("a", { href: `/maps/${o.map}/`, text: m.title }), ` › ${o.stage_name} `, ...dots);
}

function card(o, { compact = false } = {}) {
  const editable = canEdit(o);
  const node = el("article", {
    class: `jm-pf-card${editable ? " jm-pf-draggable" : ""}`, tabindex: 0, "data-id": o.id,
    draggable: editable ? "true" : null,
    "aria-label": fmt(_("%(text)s, impact %(impact)s, effort %(effort)s"), { text: o.text, impact: o.impact ?? "–", effort: o.effort ?? "–" }),
    style: safeColor(o.color) ? `--card:${safeColor(o.color)}` : null,
  },
  el("p", { class: "jm-pf-text", text: o.text || _("(no text)") }),
  origin(o),
  compact ? (o.priority === null ? null : el("p", { class: "jm-pf-meta" }, statusBadge(o), priorityBadge(o))) : el("p", { class: "jm-pf-meta" }, statusBadge(o), priorityBadge(o),
    o.owner ? el("span", { class: "jm-pf-owner", text: o.owner }) : null,
    o.due ? el("span", { class: "jm-pf-due", text: dateText(o.due) }) : null,
    o.solutions && o.solutions.length ? el("span", { class: "jm-pf-solutions", title: o.solutions.map((id) => actions.get(id)?.text).join("\n"), text: fmt(_("%(count)s solutions"), { count: o.solutions.length }) }) : null));
  if (editable) {
    node.addEventListener("dragstart", (event) => {
      state.dragging = true;
      event.dataTransfer.setData("text/plain", o.id);
      event.dataTransfer.effectAllowed = "move";
      node.classList.add("is-dragging");
    });
    node.addEventListener("dragend", () => { state.dragging = false; node.classList.remove("is-dragging"); });
  }
  return node;
}

function dropZone(node, fieldsFor) {
  node.addEventListener("dragover", (event) => { event.preventDefault(); node.classList.add("is-over"); });
  node.addEventListener("dragleave", () => node.classList.remove("is-over"));
  node.addEventListener("drop", (event) => {
    event.preventDefault();
    node.classList.remove("is-over");
    state.dragging = false;
    const o = data.opportunities.find((x) => x.id === event.dataTransfer.getData("text/plain"));
    if (!o || !canEdit(o)) return;
    const fields = fieldsFor(o);
    if (Object.entries(fields).every(([key, value]) => o[key] === value)) return;
    Object.assign(o, fields);  // shown at once; the answer (or the error) settles it
    render();
    save(o, fields);
  });
}

// ------------------------------------------------------------------ matrix

const QUADRANTS = [
  ["quick", _("Quick wins"), _("High impact, little effort: do these first")],
  ["bets", _("Big bets"), _("High impact, much effort: plan them")],
  ["fill", _("Fill-ins"), _("Little impact, little effort: when there is time")],
  ["pits", _("Money pits"), _("Little impact, much effort: question them")],
];

function matrix(list) {
  const grid = el("div", { class: "jm-pf-grid", role: "grid", "aria-label": _("Impact and effort matrix") });
  for (const [key, title, hint] of QUADRANTS) {
    grid.append(el("div", { class: `jm-pf-quadrant jm-pf-q-${key}`, "aria-hidden": "true" }, el("strong", { text: title }), el("span", { text: hint })));
  }
  for (let impact = 5; impact >= 1; impact -= 1) {
    for (let effort = 1; effort <= 5; effort += 1) {
      const cell = el("div", {
        class: "jm-pf-cell", role: "gridcell", "data-impact": impact, "data-effort": effort,
        style: `grid-row:${6 - impact};grid-column:${effort}`,
        "aria-label": fmt(_("Impact %(impact)s, effort %(effort)s"), { impact, effort }),
      });
      for (const o of list) if (o.impact === impact && o.effort === effort) cell.append(card(o, { compact: true }));
      dropZone(cell, () => ({ impact, effort }));
      grid.append(cell);
    }
  }
  const unscored = list.filter((o) => !scored(o));
  const tray = el("aside", { class: "jm-pf-tray", "aria-label": _("Not scored yet") },
    el("h2", { class: "jm-pf-h2", text: fmt(_("Not scored yet (%(count)s)"), { count: unscored.length }) }),
    el("p", { class: "jm-ls-muted", text: _("Drag a card onto the matrix to score its impact and effort.") }),
    ...unscored.map((o) => card(o, { compact: true })));
  return el("div", { class: "jm-pf-matrix" },
    el("div", { class: "jm-pf-plot" },
      el("span", { class: "jm-pf-axis-y", text: _("Impact ↑") }),
      grid,
      el("span", { class: "jm-pf-axis-x", text: _("Effort →") })),
    tray);
}

// Arrow keys move a focused card in the matrix: one step of impact or effort.
function onKey(event) {
  const node = event.target.closest?.(".jm-pf-card");
  if (!node || state.view !== "matrix") return;
  const o = data.opportunities.find((x) => x.id === node.dataset.id);
  const steps = { ArrowUp: ["impact", 1], ArrowDown: ["impact", -1], ArrowRight: ["effort", 1], ArrowLeft: ["effort", -1] };
  if (!o || !canEdit(o) || !steps[event.key]) return;
  event.preventDefault();
  const [field, step] = steps[event.key];
  const fields = { impact: o.impact ?? 3, effort: o.effort ?? 3 };
  fields[field] = Math.min(5, Math.max(1, fields[field] + (scored(o) ? step : 0)));
  Object.assign(o, fields);
  render();
  save(o, fields);
}

// ------------------------------------------------------------------ table

const COLUMNS = [
  ["text", _("Opportunity")],
  ["priority", _("Priority")],
  ["impact", _("Impact")],
  ["effort", _("Effort")],
  ["reach", _("Reach")],
  ["confidence", _("Confidence")],
  ["status", _("Status")],
  ["owner", _("Owner")],
  ["due", _("Due")],
  ["solutions", _("Solutions")],
];

function compare(a, b) {
  const key = state.sort;
  const rank = (o) => (key === "status" ? STATUSES.indexOf(o.status) : key === "solutions" ? o.solutions.length : o[key]);
  const [x, y] = [rank(a), rank(b)];
  if (x === y) return 0;
  if (x === null || x === "") return 1;  // empty values last, whichever the direction
  if (y === null || y === "") return -1;
  const order = typeof x === "string" ? x.localeCompare(y) : x - y;
  return state.desc ? -order : order;
}

function scoreSelect(o, field, max) {
  const select = el("select", { "aria-label": fmt(_("%(field)s of “%(text)s”"), { field: field === "impact" ? _("Impact") : _("Effort"), text: o.text }), disabled: !canEdit(o) },
    el("option", { value: "", text: "–" }));
  for (let v = 1; v <= max; v += 1) select.append(el("option", { value: v, text: String(v), selected: o[field] === v }));
  select.addEventListener("change", () => {
    const value = select.value === "" ? null : Number(select.value);
    o[field] = value;
    save(o, { [field]: value });
  });
  return select;
}

function statusSelect(o) {
  const select = el("select", { class: "jm-pf-status-select", "aria-label": fmt(_("Status of “%(text)s”"), { text: o.text }), disabled: !canEdit(o) });
  for (const [value, label] of Object.entries(config.statuses)) select.append(el("option", { value, text: label, selected: o.status === value }));
  select.addEventListener("change", () => { o.status = select.value; save(o, { status: select.value }); });
  return select;
}

function table(list) {
  const sorted = [...list].sort(compare);
  const head = el("tr", {}, ...COLUMNS.map(([key, label]) => {
    const sort = state.sort === key ? (state.desc ? "descending" : "ascending") : "none";
    const button = el("button", { type: "button", class: "jm-pf-sort", "data-sort": key, text: label });
    button.addEventListener("click", () => {
      state.desc = state.sort === key ? !state.desc : key !== "text" && key !== "due" && key !== "status";
      state.sort = key;
      render();
    });
    return el("th", { scope: "col", "aria-sort": sort }, button);
  }));
  const rows = sorted.map((o) => el("tr", { "data-id": o.id },
    el("td", {}, el("p", { class: "jm-pf-text", text: o.text }), origin(o)),
    el("td", { class: "jm-pf-num" }, o.priority === null ? "–" : el("strong", { text: number(o.priority) })),
    el("td", {}, scoreSelect(o, "impact", 5)),
    el("td", {}, scoreSelect(o, "effort", 5)),
    el("td", { class: "jm-pf-num", text: o.reach === null ? "–" : number(o.reach) }),
    el("td", { class: "jm-pf-num", text: o.confidence === null ? "–" : `${o.confidence}%` }),
    el("td", {}, statusSelect(o)),
    el("td", { text: o.owner || "–" }),
    el("td", { class: "jm-pf-date", text: dateText(o.due) || "–" }),
    solutionsCell(o)));
  return el("div", { class: "jm-pf-table-wrap" },
    el("table", { class: "jm-pf-table" }, el("thead", {}, head), el("tbody", {}, ...rows)));
}

// ------------------------------------------------------------------ board

function board(list) {
  return el("div", { class: "jm-pf-board" }, ...STATUSES.map((status) => {
    const cards = list.filter((o) => o.status === status).sort((a, b) => (b.priority ?? -1) - (a.priority ?? -1));
    const column = el("section", { class: `jm-pf-column jm-pf-column-${status}`, "data-status": status, "aria-label": config.statuses[status] },
      el("h2", { class: "jm-pf-h2" }, config.statuses[status], " ", el("span", { class: "jm-badge", text: String(cards.length) })),
      ...cards.map((o) => card(o)));
    dropZone(column, () => ({ status }));
    return column;
  }));
}

// ------------------------------------------------------------------ page

function render() {
  const list = visible();
  root.setAttribute("aria-busy", "false");
  if (!data.opportunities.length) {
    root.replaceChildren(el("div", { class: "jm-empty jm-panel" },
      el("h2", { class: "jm-pf-h2", text: _("No opportunity yet") }),
      el("p", { class: "jm-lead", text: _("Add cards to an Opportunities lane of a journey map: they appear here, from every map you can open.") })));
    return;
  }
  const views = { matrix, table, board };
  // A redraw (a save's answer, a poll) must not take the focus from the card being moved.
  const focused = root.contains(document.activeElement) ? document.activeElement.closest(".jm-pf-card")?.dataset.id : null;
  root.replaceChildren(views[state.view](list));
  if (focused) root.querySelector(`.jm-pf-card[data-id="${focused}"]`)?.focus();
}

async function poll() {
  if (document.hidden || state.dragging) return;
  await refresh(data.etag);
}

async function refresh(etag = "") {
  try {
    const headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    const response = await fetch(config.api, { credentials: "same-origin", headers });
    if (response.status !== 200) return;
    const fresh = await response.json();
    if (etag && fresh.etag === etag) return;
    data = fresh;
    index();
    fillFilters();
    render();
  } catch {
    // offline for a moment: the next poll tries again
  }
}

function setView(view) {
  state.view = view;
  for (const button of document.querySelectorAll("[data-view]")) button.setAttribute("aria-pressed", String(button.dataset.view === view));
  render();
}

for (const button of document.querySelectorAll("[data-view]")) button.addEventListener("click", () => setView(button.dataset.view));
form.addEventListener("change", () => {
  for (const name of ["map", "persona", "status", "owner"]) state[name] = form.elements[name].value;
  render();
});
form.addEventListener("reset", () => setTimeout(() => form.dispatchEvent(new Event("change")), 0));
root.addEventListener("keydown", onKey);
root.addEventListener("click", (event) => {
  const button = event.target.closest(".jm-pf-unlink");
  if (button) unlinkSolution(button.dataset.link);
});
index();
fillFilters();
render();
setInterval(poll, POLL_MS);
