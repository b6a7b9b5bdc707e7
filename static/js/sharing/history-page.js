// A map's history: the timeline, named versions, a read-only view of any past revision,
// and restore (one new change everyone follows live).
import { api, bell, el, labels, when } from "./common.js";
import { renderGrid } from "./grid.js";

const root = document.getElementById("jm-history");
const mapId = root.dataset.map;
const canEdit = root.dataset.canEdit === "1";
const text = labels();
const statusLine = document.getElementById("jm-status");
let next = null;
let previewing = null;

function entryNode(entry) {
  const range =
    entry.from_revision === entry.to_revision
      ? `${text.revision} ${entry.to_revision}`
      : `${text.revisions} ${entry.from_revision}–${entry.to_revision}`;
  return el(
    "li",
    { class: "jm-sh-entry", dataset: { revision: entry.to_revision } },
    el("div", { class: "jm-sh-entry-text" }, entry.text),
    el(
      "div",
      { class: "jm-sh-muted" },
      `${when(entry.time)} · ${range} `,
      el("button", { type: "button", class: "jm-sh-link", onclick: () => preview(entry.to_revision) }, text.view),
    ),
  );
}

async function loadTimeline(before = null) {
  const params = new URLSearchParams({ lang: root.dataset.lang.startsWith("vi") ? "vi" : "en" });
  if (before !== null) params.set("before", String(before));
  const data = await api(`/api/maps/${mapId}/history/?${params}`);
  const list = document.getElementById("jm-timeline");
  if (before === null) list.replaceChildren();
  for (const entry of data.results) list.append(entryNode(entry));
  if (!list.children.length) list.append(el("li", { class: "jm-sh-muted" }, text.empty));
  next = data.next;
  document.getElementById("jm-more").hidden = next === null;
}

async function loadVersions() {
  const versions = await api(`/api/maps/${mapId}/versions/`);
  const list = document.getElementById("jm-versions");
  list.replaceChildren(
    ...versions.map((v) =>
      el(
        "li",
        {},
        el("button", { type: "button", class: "jm-sh-link", onclick: () => preview(v.revision, v.name) }, v.name),
        el("span", { class: "jm-sh-muted" }, ` · ${text.revision} ${v.revision} · ${when(v.created)}`),
      ),
    ),
  );
  if (!versions.length) list.append(el("li", { class: "jm-sh-muted" }, text.none));
}

async function preview(revision, name = "") {
  const doc = await api(`/api/maps/${mapId}/?revision=${revision}`);
  previewing = revision;
  document.getElementById("jm-preview").hidden = false;
  document.getElementById("jm-preview-title").textContent =
    `${text.revision} ${revision}${name ? ` · ${name}` : ""}`;
  document.getElementById("jm-preview-compare").href =
    `/maps/${mapId}/compare/?from=${revision}&to=${doc.current_revision}`;
  renderGrid(document.getElementById("jm-preview-grid"), doc);
  root.dataset.previewing = String(revision);
  document.getElementById("jm-preview").scrollIntoView({ block: "start" });
}

document.getElementById("jm-preview-close").addEventListener("click", () => {
  document.getElementById("jm-preview").hidden = true;
  previewing = null;
});
document.getElementById("jm-more").addEventListener("click", () => loadTimeline(next));
document.getElementById("jm-restore")?.addEventListener("click", async () => {
  if (previewing === null || !window.confirm(text.confirm)) return;
  try {
    const result = await api(`/api/maps/${mapId}/restore/`, {
      method: "POST",
      body: { revision: previewing },
    });
    statusLine.textContent = `${text.restored} ${result.revision}.`;
    document.getElementById("jm-preview").hidden = true;
    await loadTimeline();
  } catch (error) {
    statusLine.textContent = error.message;
  }
});
document.getElementById("jm-version-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = document.getElementById("jm-version-name");
  try {
    await api(`/api/maps/${mapId}/versions/`, { method: "POST", body: { name: input.value } });
    input.value = "";
    await loadVersions();
  } catch (error) {
    statusLine.textContent = error.message;
  }
});

if (!canEdit) document.getElementById("jm-restore")?.remove();
await Promise.all([loadTimeline(), loadVersions()]);
const wanted = new URLSearchParams(location.search).get("revision");
if (wanted !== null && /^\d+$/.test(wanted)) preview(Number(wanted));
bell();
