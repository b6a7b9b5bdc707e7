// Current state and future state, stage by stage.
import { api, bell, el, labels } from "./common.js";
import { itemLabel } from "./grid.js";

const root = document.getElementById("jm-sbs");
const mapId = root.dataset.map;
const text = labels();
const statusLine = document.getElementById("jm-sbs-status");

function column(side) {
  if (!side) return el("div", { class: "jm-sh-sbs-empty" }, "—");
  const box = el("div", { class: "jm-sh-sbs-stage" }, el("h3", {}, side.stage.name));
  for (const lane of side.lanes) {
    box.append(
      el("div", { class: "jm-sh-muted jm-sh-kind" }, lane.title),
      ...lane.items.map((item) => el("div", { class: `jm-sh-card jm-sh-${item.kind}` }, itemLabel(item))),
    );
  }
  return box;
}

async function show() {
  const grid = document.getElementById("jm-sbs-grid");
  try {
    const data = await api(`/api/maps/${mapId}/side-by-side/`);
    statusLine.textContent = "";
    const head = el(
      "div",
      { class: "jm-sh-sbs-row jm-sh-sbs-head" },
      el("div", {}, `${text.current}: `, el("a", { href: `/maps/${data.current.id}/` }, data.current.title)),
      el("div", {}, `${text.future}: `, el("a", { href: `/maps/${data.future.id}/` }, data.future.title)),
    );
    grid.replaceChildren(
      head,
      ...data.rows.map((row) => el("div", { class: "jm-sh-sbs-row" }, column(row.current), column(row.future))),
    );
  } catch (error) {
    grid.replaceChildren();
    statusLine.textContent = error.code === "invalid" ? text.unlinked : error.message;
  }
}

async function fillChoices() {
  const form = document.getElementById("jm-link-form");
  if (form.hidden) return;
  const doc = await api(`/api/maps/${mapId}/`);
  const maps = await api(`/api/maps/?workspace=${doc.workspace}`);
  const select = document.getElementById("jm-current-map");
  for (const m of maps) {
    if (m.id === mapId) continue;
    select.append(el("option", { value: m.id, selected: m.id === doc.current_state }, m.title));
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api(`/api/maps/${mapId}/current-state/`, {
        method: "PUT",
        body: { map: select.value || null },
      });
      show();
    } catch (error) {
      statusLine.textContent = error.message;
    }
  });
}

show();
fillChoices();
bell();
