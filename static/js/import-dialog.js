// The dashboard's spreadsheet import (issue 16): pick or drop a file, see the preview the
// server reads from it (POST …/imports/preview/), correct the lane kinds, create the map
// (POST …/imports/) and open it. The file is sent again on each step: the server keeps
// nothing until the map is created. Text from the file goes in through textContent only.
import { el } from "./editor/dom.js";
import { _, fmt } from "./editor/i18n.js";

const config = JSON.parse(document.getElementById("jm-import-config").textContent);
const dialog = document.getElementById("jm-import");
const form = dialog.querySelector("form");
const input = dialog.querySelector("#jm-im-file");
const drop = dialog.querySelector(".jm-im-drop");
const part = (role) => dialog.querySelector(`[data-role="${role}"]`);
const state = { file: null, preview: null, busy: false, chosen: new Set() };

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function body(extra = {}) {
  const data = new FormData();
  data.append("file", state.file);
  for (const [key, value] of Object.entries(extra)) {
    for (const item of [].concat(value)) data.append(key, item);
  }
  return data;
}

async function post(url, data) {
  const response = await fetch(url, {
    method: "POST", body: data, credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.message || fmt(_("The server answered %(status)s."), { status: response.status }));
  return answer;
}

function step(name) {
  for (const section of dialog.querySelectorAll("[data-step]")) section.hidden = section.dataset.step !== name;
  part("again").hidden = name !== "preview";
  part("create").hidden = name !== "preview";
}

function showError(message) {
  part("error").textContent = message || "";
}

function kinds() {
  return [...part("lanes").querySelectorAll("select")].map((select) => select.value);
}

function kindSelect(lane, index) {
  const select = el("select", { "aria-label": fmt(_("Kind of the lane %(title)s"), { title: lane.title }), "data-lane": index });
  for (const [value, label] of config.kinds) select.append(el("option", { value, text: label, selected: value === lane.kind }));
  select.addEventListener("change", () => { state.chosen.add(index); refresh(); });
  return select;
}

// A lane's origin: its title's cell, or the side sheet (Metrics, Action plan) it came from.
// A kind the person chose is no longer a doubt.
function where(lane, index) {
  const [sheet, cell] = lane.cell.includes("!") ? lane.cell.split("!") : ["", lane.cell];
  const origin = sheet ? fmt(_("from the sheet “%(sheet)s”"), { sheet }) : cell;
  return lane.guessed || state.chosen.has(index) ? origin : fmt(_("%(cell)s · no kind recognised: free text"), { cell: origin });
}

function render(preview) {
  state.preview = preview;
  const file = part("file");
  file.replaceChildren(el("strong", { text: state.file.name }));
  const facts = [preview.sheet && fmt(_("sheet “%(sheet)s”"), { sheet: preview.sheet }), preview.encoding && fmt(_("read as %(encoding)s"), { encoding: preview.encoding })].filter(Boolean);
  if (facts.length) file.append(` · ${facts.join(" · ")}`);
  const title = form.elements.title;
  if (!title.dataset.touched) title.value = preview.title || state.file.name.replace(/\.[^.]+$/, "");
  part("stages-title").textContent = fmt(_("Stages (%(count)s) · %(cards)s cards in all"), { count: preview.stages.length, cards: preview.cards });
  part("stages").replaceChildren(...preview.stages.map((stage) => el("li", { title: stage.cell }, stage.name, el("span", { text: `${stage.cards}` }))));
  const chosen = new Map(kinds().map((kind, index) => [index, kind]));
  part("lanes").replaceChildren(...preview.lanes.map((lane, index) => {
    const select = kindSelect({ ...lane, kind: chosen.get(index) || lane.kind }, index);
    return el("tr", { class: lane.guessed || state.chosen.has(index) ? "" : "jm-im-unsure" },
      el("td", {}, lane.title, el("span", { class: "jm-im-cell", text: where(lane, index) })),
      el("td", {}, select),
      el("td", { class: "jm-im-num", text: `${lane.cards}` }));
  }));
  const personas = part("personas");
  personas.hidden = preview.personas.length === 0;
  personas.textContent = fmt(_("Personas added to the workspace: %(names)s"), { names: preview.personas.join(", ") });
  const problems = preview.problems;
  part("problems-box").hidden = problems.length === 0;
  const errors = problems.filter((p) => p.level === "error").length;
  part("problems-title").textContent = errors
    ? fmt(_("Problems to fix in the file (%(count)s)"), { count: problems.length })
    : fmt(_("Read differently than written (%(count)s)"), { count: problems.length });
  part("problems").replaceChildren(...problems.map((p) => el("li", { class: p.level === "error" ? "jm-im-fatal" : "" },
    el("span", { class: "jm-im-badge", text: p.level === "error" ? _("Error") : _("Note") }),
    el("span", { class: "jm-im-where", text: `${p.sheet}!${p.cell}` }),
    el("span", { text: p.message }))));
  part("notices").replaceChildren(...preview.notices.map((text) => el("li", { text })));
  const create = part("create");
  create.disabled = !preview.can_create;
  create.textContent = preview.can_create ? fmt(_("Create map with %(cards)s cards"), { cards: preview.cards }) : _("Fix the errors to continue");
}

async function load(file) {
  state.file = file;
  state.chosen = new Set();
  form.elements.title.dataset.touched = "";
  showError("");
  part("lanes").replaceChildren();
  try {
    busy(true, _("Reading the file…"));
    render(await post(config.preview, body()));
    step("preview");
  } catch (error) {
    showError(error.message);
    step("file");
  } finally {
    busy(false);
  }
}

async function refresh() {
  try {
    busy(true);
    render(await post(config.preview, body({ kinds: kinds() })));
    showError("");
  } catch (error) {
    showError(error.message);
  } finally {
    busy(false);
  }
}

async function create() {
  const title = form.elements.title;
  if (!title.value.trim()) { title.focus(); return; }
  try {
    busy(true, _("Creating the map…"));
    const made = await post(config.create, body({ kinds: kinds(), title: title.value.trim() }));
    window.location.assign(made.url);
  } catch (error) {
    showError(error.message);
    busy(false);
  }
}

function busy(on, label) {
  state.busy = on;
  dialog.setAttribute("aria-busy", on ? "true" : "false");
  const button = part("create");
  button.disabled = on || !(state.preview && state.preview.can_create);
  if (on && label) drop.querySelector("strong").textContent = label;
  if (!on) drop.querySelector("strong").textContent = _("Choose a file");
}

function open(event) {
  event.preventDefault();
  state.file = null;
  state.preview = null;
  input.value = "";
  showError("");
  step("file");
  dialog.showModal();
}

for (const trigger of document.querySelectorAll("[data-jm-import]")) trigger.addEventListener("click", open);
input.addEventListener("change", () => input.files[0] && load(input.files[0]));
form.elements.title.addEventListener("input", () => { form.elements.title.dataset.touched = "1"; });
part("create").addEventListener("click", create);
part("again").addEventListener("click", () => { input.value = ""; showError(""); step("file"); });
for (const name of ["dragenter", "dragover"]) drop.addEventListener(name, (event) => { event.preventDefault(); drop.classList.add("jm-im-over"); });
for (const name of ["dragleave", "drop"]) drop.addEventListener(name, () => drop.classList.remove("jm-im-over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  const file = event.dataTransfer.files[0];
  if (file) load(file);
});
