// My mentions and replies; opening one marks it read.
import { api, el, labels, when } from "./common.js";

const text = labels();
const list = document.getElementById("jm-note-list");

async function load() {
  const data = await api("/api/notifications/");
  list.replaceChildren(
    ...data.results.map((note) =>
      el(
        "li",
        { class: `jm-sh-entry ${note.read ? "" : "jm-sh-unread"}` },
        el(
          "a",
          {
            href: note.url,
            onclick: () => api("/api/notifications/read/", { method: "POST", body: { ids: [note.id] } }),
          },
          `${note.actor ? note.actor.name : "?"} ${text[note.kind]} “${note.map.title}”`,
        ),
        el("blockquote", {}, note.comment.text),
        el("div", { class: "jm-sh-muted" }, when(note.created)),
      ),
    ),
  );
  if (!data.results.length) list.append(el("li", { class: "jm-sh-muted" }, text.empty));
}

document.getElementById("jm-read-all").addEventListener("click", async () => {
  await api("/api/notifications/read/", { method: "POST", body: {} });
  load();
});
load();
