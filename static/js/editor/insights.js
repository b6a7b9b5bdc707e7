// The insights behind the map's cards (insights/ app, docs/api.md "Insights"): a badge on
// each card with insights and its derived evidence level, and the card panel's section to
// see, attach, create on the spot and detach them. The data comes from
// GET /api/maps/{id}/insights/; it is fetched again after this editor's own link changes, on
// an `insights` socket message (someone else's), and after a resync (reconnect).
import { ed, toast } from "./editor.js";
import { el } from "./dom.js";
import { _, fmt } from "./i18n.js";
import { onAfterRender } from "./render.js";

const state = { items: {} };
const LEVELS = () => ({ assumption: _("Assumption"), anecdote: _("Anecdote"), research: _("Research-backed"), data: _("Data-backed") });
const KINDS = () => [["interview", _("Interview quote")], ["survey", _("Survey result")], ["analytics", _("Analytics figure")], ["support", _("Support ticket theme")], ["observation", _("Observation")]];

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function api(url, { method = "GET", body } = {}) {
  const response = await fetch(url, {
    method, credentials: "same-origin",
    headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.message || String(response.status));
  return data;
}

const mapUrl = () => `/api/maps/${encodeURIComponent(ed.config.map)}/insights/`;
const cardUrl = (itemId) => `/api/maps/${encodeURIComponent(ed.config.map)}/items/${encodeURIComponent(itemId)}/insights/`;

// The level a card shows: derived from its insights when it has any, else its own.
export function evidenceOf(item) {
  return state.items[item.id]?.evidence || item.evidence;
}

export function hasInsights(itemId) {
  return Boolean(state.items[itemId]);
}

export async function loadInsights() {
  try {
    state.items = (await api(mapUrl())).items || {};
  } catch (_error) {
    return; // the cards keep their hand-set levels; the next change or resync tries again
  }
  decorateCards();
  refreshSections();
}

function decorateCards() {
  for (const card of document.querySelectorAll(".jm-card[data-id]")) {
    card.querySelector(".jm-card-evidence")?.remove();
    const entry = state.items[card.dataset.id];
    if (!entry) {
      delete card.dataset.evidence;
      continue;
    }
    card.dataset.evidence = entry.evidence;
    card.classList.add("jm-evidenced");
    card.append(el("span", {
      class: `jm-card-evidence jm-ev-${entry.evidence}`,
      title: fmt(_("%(level)s, from %(count)s insights"), { level: LEVELS()[entry.evidence], count: entry.insights.length }),
    }, el("span", { class: "jm-card-evidence-dot", "aria-hidden": "true" }), `${LEVELS()[entry.evidence]} · ${entry.insights.length}`));
  }
}

// --- the card panel's section -------------------------------------------------------------

export function insightsField(item) {
  const box = el("section", { class: "jm-ed-field jm-insights-field", "data-item": item.id, "aria-labelledby": "jm-insights-title" });
  fill(box, item.id);
  return box;
}

function refreshSections() {
  for (const box of document.querySelectorAll(".jm-insights-field")) fill(box, box.dataset.item);
  const select = document.querySelector("#jm-panel select[name=evidence]");
  const form = document.querySelector("#jm-panel .jm-panel-form[data-type=item]");
  if (select && form) evidenceControl(select, ed.store.item(form.dataset.id));
}

// With insights linked, the level is theirs: the hand-set one comes back when they go.
export function evidenceControl(select, item) {
  if (!item) return;
  const entry = state.items[item.id];
  select.value = entry ? entry.evidence : item.evidence;
  select.disabled = Boolean(entry) || !ed.canEdit;
  const hint = select.parentElement?.querySelector(".jm-ed-field-hint");
  if (hint) hint.textContent = entry
    ? fmt(_("Derived from %(count)s linked insights."), { count: entry.insights.length })
    : _("How do we know? Prefer research and data over assumptions.");
}

function fill(box, itemId) {
  const entry = state.items[itemId];
  const list = el("ul", { class: "jm-insight-list", role: "list" });
  for (const insight of entry ? entry.insights : []) {
    list.append(el("li", { class: `jm-insight jm-insight-${insight.kind}` },
      el("span", { class: "jm-insight-kind", text: insight.kind_label }),
      el("a", { class: "jm-insight-text", href: `/insights/${encodeURIComponent(insight.id)}/`, target: "_blank", rel: "noopener", text: insight.text }),
      ed.canEdit ? el("button", { type: "button", class: "jm-btn jm-btn-icon jm-insight-detach", "data-insight": insight.id, "aria-label": fmt(_("Detach “%(text)s”"), { text: insight.text.slice(0, 40) }) }, "×") : null));
  }
  const parts = [
    el("h3", { id: "jm-insights-title", class: "jm-insights-title", text: _("Insights") }),
    entry ? list : el("p", { class: "jm-ed-field-hint", text: _("No insight backs this card yet: its evidence is what is set above.") }),
  ];
  if (ed.canEdit) {
    parts.push(el("div", { class: "jm-insight-actions" },
      el("button", { type: "button", class: "jm-btn", "data-insight-action": "attach" }, _("Attach an insight")),
      el("button", { type: "button", class: "jm-btn", "data-insight-action": "create" }, _("New insight"))));
  }
  box.replaceChildren(...parts);
  box.onclick = (event) => onClick(event, box, itemId);
}

async function onClick(event, box, itemId) {
  const detach = event.target.closest(".jm-insight-detach");
  const action = event.target.closest("[data-insight-action]")?.dataset.insightAction;
  if (detach) {
    await change(() => api(`${cardUrl(itemId)}${encodeURIComponent(detach.dataset.insight)}/`, { method: "DELETE" }), _("Insight detached."));
  } else if (action === "attach") {
    box.querySelector(".jm-insight-actions").replaceWith(picker(itemId));
    box.querySelector(".jm-insight-search").focus();
  } else if (action === "create") {
    box.querySelector(".jm-insight-actions").replaceWith(creator(itemId));
    box.querySelector(".jm-insight-new-text").focus();
  } else if (action === "cancel") {
    fill(box, itemId);
  }
}

async function change(request, done) {
  try {
    await request();
    toast(done);
  } catch (error) {
    toast(fmt(_("The insight could not be changed (%(reason)s)."), { reason: error.message }), "error");
  }
  await loadInsights();
}

function picker(itemId) {
  const search = el("input", { type: "search", class: "jm-insight-search", placeholder: _("Search the workspace's insights"), "aria-label": _("Search the workspace's insights") });
  const results = el("ul", { class: "jm-insight-results", role: "list" });
  const linked = new Set((state.items[itemId]?.insights || []).map((i) => i.id));
  let timer = null;
  async function find() {
    const query = new URLSearchParams({ q: search.value.trim() });
    let found = [];
    try {
      found = await api(`/api/workspaces/${encodeURIComponent(ed.store.doc.workspace)}/insights/?${query}`);
    } catch (_error) {
      results.replaceChildren(el("li", { class: "jm-ed-field-hint", text: _("Only members of the workspace can browse its insights.") }));
      return;
    }
    const rows = found.filter((i) => !linked.has(i.id)).slice(0, 20).map((insight) => el("li", {},
      el("button", { type: "button", class: "jm-insight-pick", "data-insight": insight.id },
        el("span", { class: "jm-insight-kind", text: (KINDS().find(([k]) => k === insight.kind) || [null, insight.kind])[1] }),
        el("span", { class: "jm-insight-text", text: insight.text }))));
    results.replaceChildren(...(rows.length ? rows : [el("li", { class: "jm-ed-field-hint", text: _("No insight found.") })]));
  }
  search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(find, 200); });
  results.addEventListener("click", (event) => {
    const pick = event.target.closest(".jm-insight-pick");
    if (pick) change(() => api(cardUrl(itemId), { method: "POST", body: { insight: pick.dataset.insight } }), _("Insight attached."));
  });
  find();
  return el("div", { class: "jm-insight-picker" }, search, results,
    el("button", { type: "button", class: "jm-btn jm-btn-ghost", "data-insight-action": "cancel" }, _("Cancel")));
}

function creator(itemId) {
  const kind = el("select", { class: "jm-insight-new-kind", "aria-label": _("Kind") });
  for (const [key, label] of KINDS()) kind.append(el("option", { value: key, text: label }));
  const text = el("textarea", { class: "jm-insight-new-text", rows: 3, maxlength: 4000, placeholder: _("The quote, the figure or what you saw"), "aria-label": _("Text") });
  const source = el("input", { class: "jm-insight-new-source", maxlength: 200, placeholder: _("Source, e.g. Interview with Ms Hoa, 12/10"), "aria-label": _("Source") });
  // A div, not a form: it sits inside the panel's form, and forms do not nest.
  const box = el("div", { class: "jm-insight-creator" }, kind, text, source,
    el("div", { class: "jm-insight-actions" },
      el("button", { type: "button", class: "jm-btn jm-btn-primary", "data-create": "" }, _("Create and attach")),
      el("button", { type: "button", class: "jm-btn jm-btn-ghost", "data-insight-action": "cancel" }, _("Cancel"))));
  box.querySelector("[data-create]").addEventListener("click", () => {
    if (!text.value.trim()) return text.focus();
    const body = { new: { kind: kind.value, text: text.value.trim().normalize("NFC"), source_title: source.value.trim().normalize("NFC") } };
    change(() => api(cardUrl(itemId), { method: "POST", body }), _("Insight created and attached."));
  });
  // The panel's form commits a card field on every `change`: these fields are not the card's.
  box.addEventListener("change", (event) => event.stopPropagation());
  return box;
}

// --- wiring -------------------------------------------------------------------------------

function selectFromAddress() {
  const wanted = new URLSearchParams(window.location.search).get("item");
  if (!wanted || !ed.store.item(wanted)) return;
  window.jmEditor.select({ type: "item", id: wanted });
  document.querySelector(`.jm-card[data-id="${CSS.escape(wanted)}"]`)?.scrollIntoView({ block: "center", inline: "center" });
}

onAfterRender(decorateCards);
document.addEventListener("jm:ready", () => {
  const transport = ed.transport;
  if (transport.onMessage) {
    transport.onMessage((message) => {
      if (message.type === "insights") loadInsights();
    });
  }
  if (transport.onResync) transport.onResync(() => loadInsights());
  loadInsights().then(selectFromAddress);
});
