// A workspace's recent changes, comments and exports.
import { api, bell, el, labels, when } from "./common.js";

const root = document.getElementById("jm-activity");
const text = labels();
const lang = root.dataset.lang.startsWith("vi") ? "vi" : "en";
const data = await api(`/api/workspaces/${root.dataset.workspace}/activity/?lang=${lang}`);
const list = document.getElementById("jm-feed");
for (const entry of data.results) {
  const href =
    entry.kind === "change"
      ? `/maps/${entry.map.id}/history/`
      : `/maps/${entry.map.id}/`;
  list.append(
    el(
      "li",
      { class: `jm-sh-entry jm-sh-${entry.kind}` },
      el("a", { href }, entry.text),
      el("div", { class: "jm-sh-muted" }, when(entry.time)),
    ),
  );
}
if (!data.results.length) list.append(el("li", { class: "jm-sh-muted" }, text.empty));
bell();
