// Compare two revisions: the later one's grid with added, changed and removed rows marked.
import { api, bell, labels } from "./common.js";
import { compareMarks, renderGrid } from "./grid.js";

const root = document.getElementById("jm-compare");
const mapId = root.dataset.map;
const text = labels();
const params = new URLSearchParams(location.search);
const from = document.getElementById("jm-from");
const to = document.getElementById("jm-to");
from.value = params.get("from") ?? String(Math.max(Number(root.dataset.revision) - 1, 0));
to.value = params.get("to") ?? root.dataset.revision;

async function show() {
  const summary = document.getElementById("jm-compare-summary");
  try {
    const [diff, doc] = await Promise.all([
      api(`/api/maps/${mapId}/compare/?from=${from.value}&to=${to.value}`),
      api(`/api/maps/${mapId}/?revision=${to.value}`),
    ]);
    const marks = compareMarks(diff);
    renderGrid(document.getElementById("jm-grid"), doc, marks);
    const count = (kind) => ["stages", "lanes", "items"].reduce((n, k) => n + diff[k][kind].length, 0);
    summary.textContent = text.summary
      .replace("{a}", count("added"))
      .replace("{r}", count("removed"))
      .replace("{c}", count("changed"));
  } catch (error) {
    summary.textContent = error.message;
  }
}

document.getElementById("jm-compare-form").addEventListener("submit", (event) => {
  event.preventDefault();
  history.replaceState(null, "", `?from=${from.value}&to=${to.value}`);
  show();
});
show();
bell();
