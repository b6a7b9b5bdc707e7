// The export dialog (issue 6): options, a preview thumbnail, a progress bar and the map's
// recent exports. Mounts an "Export" button into #jm-toolbar-extra and answers the editor's
// `jm:export` event. Progress comes from `export` messages on the live socket
// (transport.onMessage); GET /api/exports/{id}/ is polled only while no socket is connected
// (transport.connected false: the REST transport, or the socket is down), once after the
// socket comes back, and once when a job has been silent for STALL_MS (the channel layer
// delivers at most once). All text goes in through textContent (dom.js).
import { el } from "./dom.js";
import { _ } from "./i18n.js";

const PAPERS = ["A4", "A3", "A2", "Letter", "Tabloid", "poster"];
const POLL_MS = 1000;
const STALL_MS = 10000;
// early: export messages that arrived before the POST that created their job answered.
const state = { editor: null, dialog: null, jobs: new Map(), listeners: new Map(), early: new Map(), heard: new Map() };

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function api(url, options = {}) {
  const response = await fetch(url, {
    credentials: "same-origin",
    ...options,
    headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrfToken(), ...(options.headers || {}) },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(body.message || `${response.status}`), { body, status: response.status });
  return body;
}

function mapId() {
  return state.editor.ed.config.map;
}

function doc() {
  return state.editor.ed.store ? state.editor.ed.store.doc : { lanes: [], personas: [], language: "vi" };
}

function field(labelText, control, id) {
  return el("div", { class: "jm-field" }, el("label", { for: id, text: labelText }), control);
}

function select(id, name, choices, value) {
  const node = el("select", { id, name, class: "jm-select" });
  for (const [key, label] of choices) node.append(el("option", { value: key, text: label, selected: key === value }));
  return node;
}

function checkbox(name, labelText, checked, value) {
  return el("label", { class: "jm-check" },
    el("input", { type: "checkbox", name, value: value ?? "on", checked }), ` ${labelText}`);
}

function buildForm() {
  const d = doc();
  const format = el("div", { class: "jm-xp-formats", role: "radiogroup", "aria-label": _("Format") });
  for (const [key, label] of [["pdf", "PDF"], ["png", "PNG"], ["csv", "CSV"], ["xlsx", "XLSX"]]) {
    format.append(el("label", { class: "jm-xp-format" },
      el("input", { type: "radio", name: "format", value: key, checked: key === "pdf" }), ` ${label}`));
  }
  const lanes = el("fieldset", { class: "jm-xp-list" }, el("legend", { text: _("Lanes") }));
  for (const lane of d.lanes) lanes.append(checkbox("lanes", lane.title, true, lane.id));
  const personas = el("fieldset", { class: "jm-xp-list" }, el("legend", { text: _("Personas") }));
  for (const persona of d.personas) personas.append(checkbox("personas", persona.name, true, persona.id));
  return el("form", { class: "jm-xp-form", method: "dialog" },
    format,
    el("div", { class: "jm-xp-row", "data-for": "pdf png" },
      field(_("Paper"), select("jm-xp-paper", "paper", PAPERS.map((p) => [p, p === "poster" ? _("Poster (one page)") : p]), "A3"), "jm-xp-paper"),
      field(_("Orientation"), select("jm-xp-orientation", "orientation", [["landscape", _("Landscape")], ["portrait", _("Portrait")]], "landscape"), "jm-xp-orientation"),
      field(_("PNG scale"), select("jm-xp-scale", "scale", [["1", "1×"], ["2", "2×"], ["3", "3×"]], "2"), "jm-xp-scale"),
      field(_("Labels"), select("jm-xp-language", "language", [["vi", "Tiếng Việt"], ["en", "English"]], d.language || "vi"), "jm-xp-language")),
    el("div", { class: "jm-xp-row", "data-for": "pdf png" },
      checkbox("persona_header", _("Persona header"), true),
      checkbox("comments", _("Comments"), false),
      checkbox("footer", _("Footer (title, date, workspace)"), true)),
    d.lanes.length ? lanes : null,
    d.personas.length ? personas : null);
}

function readOptions(form) {
  const data = new FormData(form);
  const format = data.get("format");
  const body = { format };
  const lanes = data.getAll("lanes");
  if (lanes.length !== doc().lanes.length) body.lanes = lanes;
  if (format === "csv") return body;
  if (format === "xlsx") return { format, language: data.get("language") };
  body.paper = data.get("paper");
  body.orientation = data.get("orientation");
  body.language = data.get("language");
  body.persona_header = data.get("persona_header") === "on";
  body.comments = data.get("comments") === "on";
  body.footer = data.get("footer") === "on";
  const personas = data.getAll("personas");
  if (personas.length !== doc().personas.length) body.personas = personas;
  if (format === "png") body.scale = Number(data.get("scale"));
  return body;
}

function syncFormat(form) {
  const format = new FormData(form).get("format");
  for (const row of form.querySelectorAll("[data-for]")) row.hidden = !row.dataset.for.split(" ").includes(format);
  form.querySelector("#jm-xp-scale").closest(".jm-field").hidden = format !== "png";
}

function statusText(job) {
  return { queued: _("Waiting…"), running: _("Rendering…"), done: _("Ready"), failed: _("Failed") }[job.status] || job.status;
}

function showProgress(job) {
  const box = state.dialog.querySelector(".jm-xp-progress");
  box.hidden = false;
  const bar = box.querySelector("progress");
  bar.value = job.progress ?? 0;
  box.querySelector(".jm-xp-status").textContent = job.status === "failed" && job.error ? `${statusText(job)}: ${job.error}` : statusText(job);
  const link = box.querySelector("a");
  link.hidden = !(job.status === "done" && job.file);
  if (job.file) link.href = job.file;
}

function socketConnected() {
  const transport = state.editor && state.editor.ed.transport;
  return Boolean(transport && transport.connected);
}

function track(job, onUpdate) {
  state.jobs.set(job.id, job);
  state.listeners.set(job.id, onUpdate);
  state.heard.set(job.id, Date.now());
  onUpdate(job);
  const early = state.early.get(job.id);
  state.early.delete(job.id);
  if (early) update(early);
  loadRecent();
  let wasConnected = socketConnected();
  const poll = async () => {
    const current = state.jobs.get(job.id);
    if (!current || current.status === "done" || current.status === "failed") return;
    const connected = socketConnected();
    const silent = Date.now() - (state.heard.get(job.id) || 0) > STALL_MS;
    if (!connected || !wasConnected || silent) {
      try {
        update(await api(`/api/exports/${job.id}/`));
        state.heard.set(job.id, Date.now());
      } catch (_error) { /* a later poll or socket message will catch up */ }
    }
    wasConnected = connected;
    setTimeout(poll, POLL_MS);
  };
  setTimeout(poll, POLL_MS);
}

function update(message) {
  const known = state.jobs.get(message.id);
  if (!known) {
    // The socket can be quicker than the POST's answer: keep the latest word for later.
    if (state.early.size > 50) state.early.clear();
    state.early.set(message.id, { ...state.early.get(message.id), ...message });
    return;
  }
  state.heard.set(message.id, Date.now());
  const merged = { ...known, ...message };
  state.jobs.set(message.id, merged);
  const listener = state.listeners.get(message.id);
  if (listener) listener(merged);
  if (merged.status === "done" || merged.status === "failed") {
    state.listeners.delete(message.id);
    loadRecent();
  }
}

async function start(form, { preview = false } = {}) {
  const body = readOptions(form);
  if (preview) Object.assign(body, { format: "png", scale: 1, paper: "poster" });
  const error = state.dialog.querySelector(".jm-xp-error");
  error.textContent = "";
  try {
    const job = await api(`/api/maps/${mapId()}/exports/`, { method: "POST", body: JSON.stringify(body) });
    track(job, preview ? showPreview : showProgress);
  } catch (failure) {
    error.textContent = failure.message;
  }
}

function showPreview(job) {
  const figure = state.dialog.querySelector(".jm-xp-preview");
  figure.hidden = false;
  const img = figure.querySelector("img");
  const caption = figure.querySelector("figcaption");
  caption.textContent = job.status === "done" ? "" : statusText(job);
  if (job.status === "done" && job.file) img.src = `${job.file}?inline=1`;
}

async function loadRecent() {
  if (!state.dialog) return;
  const list = state.dialog.querySelector(".jm-xp-recent ul");
  try {
    const { results } = await api(`/api/maps/${mapId()}/exports/`);
    list.replaceChildren(...results.map((job) => {
      const when = new Date(job.created).toLocaleString(document.documentElement.lang || undefined);
      const label = `${job.format.toUpperCase()} · ${when} · ${job.requested_by || ""}`;
      const item = el("li", {}, el("span", { text: label }), " ");
      if (job.status === "done" && job.file) item.append(el("a", { href: job.file, download: "", text: _("Download") }));
      else item.append(el("span", { class: "jm-xp-muted", text: job.error ? `${statusText(job)}: ${job.error}` : statusText(job) }));
      return item;
    }));
    if (!results.length) list.replaceChildren(el("li", { class: "jm-xp-muted", text: _("No exports yet.") }));
  } catch (_error) {
    list.replaceChildren(el("li", { class: "jm-xp-muted", text: _("The list could not be loaded.") }));
  }
}

function buildDialog() {
  const form = buildForm();
  const dialog = el("dialog", { id: "jm-export-dialog", class: "jm-dialog jm-xp", "aria-labelledby": "jm-xp-title" },
    el("h2", { id: "jm-xp-title", text: _("Export the map") }),
    form,
    el("p", { class: "jm-xp-error", role: "alert" }),
    el("figure", { class: "jm-xp-preview", hidden: true },
      el("img", { alt: _("Preview of the export") }), el("figcaption")),
    el("div", { class: "jm-xp-progress", hidden: true, "aria-live": "polite" },
      el("progress", { max: 100, value: 0 }), el("span", { class: "jm-xp-status" }), " ",
      el("a", { class: "jm-btn jm-btn-primary", hidden: true, download: "", text: _("Download") })),
    el("section", { class: "jm-xp-recent" }, el("h3", { text: _("Recent exports") }), el("ul")),
    el("div", { class: "jm-dialog-actions" },
      el("button", { type: "button", class: "jm-btn", "data-xp": "close" }, _("Close")),
      el("button", { type: "button", class: "jm-btn", "data-xp": "preview" }, _("Preview")),
      el("button", { type: "button", class: "jm-btn jm-btn-primary", "data-xp": "export" }, _("Export"))));
  form.addEventListener("change", () => syncFormat(form));
  dialog.addEventListener("click", (event) => {
    const action = event.target.closest("[data-xp]");
    if (!action) return;
    if (action.dataset.xp === "close") dialog.close();
    else if (action.dataset.xp === "export") start(form);
    else if (action.dataset.xp === "preview") start(form, { preview: true });
  });
  syncFormat(form);
  document.body.append(dialog);
  return dialog;
}

export function openExportDialog() {
  if (!state.editor) return;
  if (state.dialog) state.dialog.remove();
  state.dialog = buildDialog();
  state.dialog.showModal();
  loadRecent();
}

function listenToSocket(transport) {
  const handler = (message) => {
    if (message && message.type === "export") {
      const { type: _type, ...job } = message;
      update(job);
    }
  };
  if (transport && typeof transport.onMessage === "function") transport.onMessage(handler);
  document.addEventListener("jm:socket-message", (event) => handler(event.detail));
}

function mount(editor) {
  if (state.editor) return;
  state.editor = editor;
  const stylesheet = new URL("../../css/export-dialog.css", import.meta.url);
  document.head.append(el("link", { rel: "stylesheet", href: stylesheet.href }));
  const host = document.getElementById("jm-toolbar-extra");
  if (host) host.append(el("button", { type: "button", class: "jm-btn", "data-action": "export", id: "jm-export-open" }, _("Export")));
  document.addEventListener("jm:export", openExportDialog);
  listenToSocket(editor.ed.transport);
}

if (window.jmEditor) mount(window.jmEditor);
else document.addEventListener("jm:ready", (event) => mount(event.detail), { once: true });
