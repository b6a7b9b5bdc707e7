// The journey landscape page: every map the user may open, as a tree (a map, then the
// sub-journeys its stages open) or a grid, filtered and grouped in the browser. The data
// arrives with the page (portfolio/views.py); nothing here writes.
import { el, initials, safeColor } from "../editor/dom.js";
import { _, fmt } from "../editor/i18n.js";

const config = JSON.parse(document.getElementById("jm-landscape-config").textContent);
const data = config.landscape;
const byId = new Map(data.maps.map((m) => [m.id, m]));
const root = document.getElementById("jm-landscape");
const form = document.querySelector(".jm-ls-filters");
const state = { view: "tree", persona: "", channel: "", owner: "", status: "", type: "", group: "" };

const percent = (share) => `${Math.round(share * 100)}%`;
const number = (value) => new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: 2 }).format(value);

function options(select, entries) {
  for (const [value, label] of entries) select.append(el("option", { value, text: label }));
}

function fillFilters() {
  const personas = new Map();
  const owners = new Map();
  const channels = new Set();
  for (const m of data.maps) {
    for (const p of m.personas) personas.set(p.id, p.name);
    if (m.owner) owners.set(String(m.owner.id), m.owner.name);
    for (const c of m.channels) channels.add(c);
  }
  const sorted = (map) => [...map.entries()].sort((a, b) => a[1].localeCompare(b[1]));
  options(form.elements.persona, sorted(personas));
  options(form.elements.channel, [...channels].map((c) => [c, config.channels[c] || c]).sort((a, b) => a[1].localeCompare(b[1])));
  options(form.elements.owner, sorted(owners));
  options(form.elements.status, Object.entries(config.statuses));
  options(form.elements.type, Object.entries(config.types));
}

function matches(m) {
  if (state.persona && !m.personas.some((p) => p.id === state.persona)) return false;
  if (state.channel && !m.channels.includes(state.channel)) return false;
  if (state.owner && String(m.owner ? m.owner.id : "") !== state.owner) return false;
  if (state.status && m.status !== state.status) return false;
  if (state.type && m.type !== state.type) return false;
  return true;
}

function healthClass(score) {
  if (score >= 80) return "jm-ls-good";
  if (score >= 50) return "jm-ls-fair";
  return "jm-ls-poor";
}

function healthBadge(health) {
  return el("span", {
    class: `jm-ls-health ${healthClass(health.score)}`, style: `--score:${Number(health.score) || 0}`,
    title: fmt(_("Health check: %(score)s/100, %(warnings)s warnings"), { score: health.score, warnings: health.warnings }),
  }, el("strong", { text: String(health.score) }), el("span", { class: "jm-ls-health-label", text: _("Health") }));
}

function happinessRows(m) {
  const rows = m.happiness.filter((h) => h.persona || h.points);
  if (!rows.length) return el("p", { class: "jm-ls-muted", text: _("No persona yet") });
  return el("ul", { class: "jm-ls-happy", role: "list", "aria-label": _("Happiness per persona") },
    ...rows.map((h) => {
      const name = h.persona ? h.name : _("Customer (no persona)");
      const color = safeColor(h.color) || "#94a3b8";
      const value = h.share === null ? "–" : percent(h.share);
      const title = h.share === null ? fmt(_("%(name)s: no emotion point yet"), { name })
        : fmt(_("%(name)s: %(happy)s of %(points)s emotion points above neutral"), { name, happy: h.happy, points: h.points });
      return el("li", { title, style: `--persona:${color}` },
        el("span", { class: "jm-ls-happy-name", text: name }),
        el("span", { class: "jm-ls-bar", "aria-hidden": "true" }, el("span", { style: `width:${h.share === null ? 0 : (h.share * 100).toFixed(1)}%` })),
        el("span", { class: "jm-ls-happy-value", text: value }));
    }));
}

function metricRows(m) {
  if (!m.metrics.length) return null;
  const shown = m.metrics.slice(0, 3);
  const list = el("ul", { class: "jm-ls-metrics", role: "list", "aria-label": _("Key metrics against target") },
    ...shown.map((metric) => {
      const unit = metric.unit ? ` ${metric.unit}` : "";
      const value = metric.value === null ? "–" : number(metric.value) + unit;
      return el("li", {},
        el("span", { class: "jm-ls-metric-name", text: metric.name || _("Unnamed metric") }),
        el("span", { class: "jm-ls-metric-value", text: fmt(_("%(value)s / target %(target)s"), { value, target: number(metric.target) + unit }) }));
    }));
  const more = (m.metrics_total ?? m.metrics.length) - shown.length;
  if (more > 0) list.append(el("li", { class: "jm-ls-muted", text: fmt(_("and %(n)s more"), { n: more }) }));
  return list;
}

function mapCard(m, via) {
  const dim = !matches(m);
  return el("article", { class: `jm-ls-card${dim ? " jm-ls-dim" : ""}`, "data-map": m.id },
    el("header", { class: "jm-ls-card-head" },
      el("div", { class: "jm-ls-titles" },
        via ? el("p", { class: "jm-ls-via", text: fmt(_("Stage “%(stage)s” opens"), { stage: via }) }) : null,
        el("h2", { class: "jm-ls-title" }, el("a", { href: `/maps/${m.id}/`, text: m.title })),
        el("p", { class: "jm-ls-meta" },
          el("span", { class: `jm-badge jm-status-${m.status}`, text: m.status_label }),
          el("span", { text: m.type_label }),
          m.owner ? el("span", { class: "jm-ls-owner" }, el("span", { class: "jm-ls-avatar", "aria-hidden": "true", text: initials(m.owner.name) }), m.owner.name) : null,
          el("span", { class: "jm-ls-muted", text: fmt(_("%(stages)s stages · %(items)s items"), { stages: m.stages, items: m.items }) }))),
      healthBadge(m.health)),
    el("div", { class: "jm-ls-card-body" }, happinessRows(m), metricRows(m)));
}

// A map, then its sub-journeys; a branch with no match inside is left out.
function treeNode(m, via, seen) {
  if (seen.has(m.id)) return null; // the hierarchy is acyclic; a guard all the same
  const path = new Set(seen).add(m.id);
  const kids = m.children.map((c) => treeNode(byId.get(c.map), c.stage_name, path)).filter(Boolean);
  if (!matches(m) && !kids.length) return null;
  return el("li", { class: "jm-ls-node" }, mapCard(m, via), kids.length ? el("ul", { class: "jm-ls-tree", role: "list" }, ...kids) : null);
}

function drawTree() {
  // Journeys with sub-journeys first: the big pictures, then the maps standing alone.
  const roots = data.roots.map((id) => byId.get(id)).sort((a, b) => (b.children.length > 0) - (a.children.length > 0));
  const nodes = roots.map((m) => treeNode(m, null, new Set())).filter(Boolean);
  return nodes.length ? el("ul", { class: "jm-ls-tree jm-ls-top", role: "list" }, ...nodes) : null;
}

function groupKeys(m) {
  switch (state.group) {
    case "persona": return m.personas.length ? m.personas.map((p) => [p.id, p.name]) : [["", _("No persona")]];
    case "channel": return m.channels.length ? m.channels.map((c) => [c, config.channels[c] || c]) : [["", _("No channel")]];
    case "owner": return [[m.owner ? String(m.owner.id) : "", m.owner ? m.owner.name : _("No owner")]];
    case "status": return [[m.status, m.status_label]];
    case "type": return [[m.type, m.type_label]];
    default: return [["", ""]];
  }
}

function drawGrid() {
  const groups = new Map();
  for (const m of data.maps.filter(matches)) {
    for (const [key, label] of groupKeys(m)) {
      if (!groups.has(key)) groups.set(key, { key, label, maps: [] });
      groups.get(key).maps.push(m);
    }
  }
  if (!groups.size) return null;
  // Statuses and types in their own order (draft before approved), the rest by name.
  const fixed = { status: Object.keys(config.statuses), type: Object.keys(config.types) }[state.group];
  const sections = [...groups.values()].sort(fixed
    ? (a, b) => fixed.indexOf(a.key) - fixed.indexOf(b.key)
    : (a, b) => a.label.localeCompare(b.label));
  return el("div", { class: "jm-ls-groups" }, ...sections.map((g) => el("section", { class: "jm-ls-group-box" },
    state.group ? el("h2", { class: "jm-ls-group-title" }, g.label, el("span", { class: "jm-ls-count", text: String(g.maps.length) })) : null,
    el("div", { class: "jm-ls-grid" }, ...g.maps.map((m) => {
      const parents = m.parents.map((id) => byId.get(id).title);
      const card = mapCard(m, null);
      if (parents.length) card.querySelector(".jm-ls-titles").prepend(el("p", { class: "jm-ls-via", text: fmt(_("Sub-journey of %(maps)s"), { maps: parents.join(", ") }) }));
      return card;
    })))));
}

function draw() {
  const body = state.view === "tree" ? drawTree() : drawGrid();
  const empty = data.maps.length ? _("No map matches these filters.") : _("There is no map here you can open yet.");
  root.replaceChildren(body || el("p", { class: "jm-empty-note", text: empty }));
  root.dataset.view = state.view;
  document.querySelector(".jm-ls-group").hidden = state.view !== "grid";
  for (const button of document.querySelectorAll("[data-view]")) button.setAttribute("aria-pressed", String(button.dataset.view === state.view));
  root.setAttribute("aria-busy", "false");
}

fillFilters();
form.addEventListener("change", (event) => {
  state[event.target.name] = event.target.value;
  draw();
});
form.addEventListener("reset", () => {
  for (const key of ["persona", "channel", "owner", "status", "type", "group"]) state[key] = "";
  setTimeout(draw); // after the form has cleared its controls
});
for (const button of document.querySelectorAll("[data-view]")) {
  button.addEventListener("click", () => {
    state.view = button.dataset.view;
    draw();
  });
}
draw();
// Drawn and listening: what bench/landscape.py times ("interactive").
performance.mark("jm-landscape-ready");
document.body.dataset.ready = "true";
