// Filters that highlight rather than hide: pain points only, one owner team, one channel.
import { ed } from "./editor.js";
import { el } from "./dom.js";
import { channelName } from "./render.js";

function matches(item, lane) {
  const f = ed.filters;
  if (f.pain && lane.kind !== "obstacles") return false;
  if (f.owner && item.owner !== f.owner) return false;
  if (f.channel && item.channel !== f.channel) return false;
  return true;
}

export function applyFilters() {
  const grid = document.getElementById("jm-grid");
  const active = ed.filters.pain || ed.filters.owner || ed.filters.channel;
  grid.classList.toggle("jm-filtering", Boolean(active));
  if (!active) return;
  for (const card of grid.querySelectorAll(".jm-card[data-id]")) {
    const item = ed.store.item(card.dataset.id);
    card.classList.toggle("jm-hit", Boolean(item && matches(item, ed.store.lane(item.lane))));
  }
}

function fill(select, values) {
  const current = select.value;
  const first = select.options[0];
  select.replaceChildren(first, ...values.map(([value, label]) => el("option", { value, text: label })));
  select.value = values.some(([v]) => v === current) ? current : "";
}

let lastChoices = "";
export function refreshFilterChoices() {
  const items = ed.store.doc.items;
  const owners = [...new Set(items.map((i) => i.owner).filter(Boolean))].sort((a, b) => a.localeCompare(b));
  const used0 = [...new Set(items.map((i) => i.channel).filter(Boolean))].sort();
  const signature = JSON.stringify([owners, used0]);
  if (signature === lastChoices) return; // most edits change neither list
  lastChoices = signature;
  fill(document.getElementById("jm-filter-owner"), owners.map((o) => [o, o]));
  const used = new Set(items.map((i) => i.channel).filter(Boolean));
  fill(document.getElementById("jm-filter-channel"), ed.config.channels.filter((c) => used.has(c.key)).map((c) => [c.key, channelName(c)]));
}

export function initFilters() {
  const pain = document.getElementById("jm-filter-pain");
  const owner = document.getElementById("jm-filter-owner");
  const channel = document.getElementById("jm-filter-channel");
  const update = () => {
    ed.filters = { pain: pain.checked, owner: owner.value, channel: channel.value };
    ed.filters.owner = ed.filters.owner || "";
    applyFilters();
  };
  for (const control of [pain, owner, channel]) control.addEventListener("change", update);
}
