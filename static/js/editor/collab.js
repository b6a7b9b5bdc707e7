// Sharing, comments and history inside the editor (issue 7), mounted in #jm-toolbar-extra
// once the editor says `jm:ready`. Comments are ops (comment.*) sent to the same change path
// as every edit, so commenters can comment while the editor stays read-only for them.
// User text only ever goes in through textContent.
import { ed, on, toast } from "./editor.js";
import { el } from "./dom.js";
import { _, fmt } from "./i18n.js";
import { newId } from "./keys.js";
import { onAfterRender } from "./render.js";

const RANK = { viewer: 1, commenter: 2, editor: 3, owner: 4 };
const state = { comments: [], me: null, open: false, showResolved: false, target: null };

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function api(url, { method = "GET", body } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
    init.headers["X-CSRFToken"] = csrfToken();
  }
  const response = await fetch(url, init);
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new Error((data && data.message) || response.statusText);
  return data;
}

// ed.config.role follows the server (access.js); nothing is allowed once access ended.
const can = (role) => !ed.ended && RANK[ed.config.role] >= RANK[role];
const mapUrl = (suffix = "") => `/api/maps/${ed.config.map}/${suffix}`;

// --- comments -----------------------------------------------------------------------

async function loadComments() {
  const doc = await api(mapUrl());
  state.comments = doc.comments || [];
  drawComments();
  decorate();
}

async function sendComment(op) {
  try {
    await api(mapUrl("changes/"), { method: "POST", body: { id: newId(), ops: [op] } });
    await loadComments();
    return true;
  } catch (error) {
    toast(fmt(_("Your comment was not saved (%(reason)s)."), { reason: error.message }), "error");
    return false;
  }
}

function targetName(target) {
  if (!target) return "";
  if (target.type === "stage") return ed.store.stage(target.id)?.name || "";
  const item = ed.store.item(target.id);
  return item ? item.text || item.name || item.note || _("Card") : "";
}

function threadsFor(target) {
  const roots = state.comments.filter((c) => !c.parent && (!target || c[target.type] === target.id));
  return roots.filter((c) => state.showResolved || !c.resolved);
}

function commentNode(comment, isRoot) {
  const mine = state.me && comment.author && comment.author.id === state.me.id;
  const actions = el("div", { class: "jm-cm-actions" });
  const button = (label, handler) =>
    actions.append(el("button", { type: "button", class: "jm-cm-link", text: label }));
  if (isRoot && can("commenter")) {
    button(comment.resolved ? _("Reopen") : _("Resolve"));
    actions.lastChild.addEventListener("click", () =>
      sendComment({ type: "comment.resolve", id: comment.id, resolved: !comment.resolved }));
  }
  if (mine) {
    button(_("Edit"));
    actions.lastChild.addEventListener("click", () => editComment(node, comment));
  }
  if (mine || ed.config.role === "owner") {
    button(_("Delete"));
    actions.lastChild.addEventListener("click", () => {
      if (window.confirm(_("Delete this comment?"))) sendComment({ type: "comment.delete", id: comment.id });
    });
  }
  const node = el("div", { class: `jm-cm-comment${comment.resolved ? " jm-cm-resolved" : ""}`, "data-comment": comment.id },
    el("div", { class: "jm-cm-meta" },
      el("strong", { text: comment.author?.name || comment.author?.username || "?" }),
      el("span", { text: ` · ${new Date(comment.created).toLocaleString()}` }),
      comment.resolved ? el("span", { class: "jm-cm-tag", text: _("Resolved") }) : null),
    el("p", { class: "jm-cm-text", text: comment.text }),
    actions);
  return node;
}

function editComment(node, comment) {
  const box = el("textarea", { class: "jm-cm-input", rows: 3, maxlength: 4000 });
  box.value = comment.text;
  const save = el("button", { type: "button", class: "jm-btn jm-btn-primary", text: _("Save") });
  save.addEventListener("click", () => {
    const text = box.value.trim().normalize("NFC");
    if (text) sendComment({ type: "comment.update", id: comment.id, text });
  });
  node.querySelector(".jm-cm-text").replaceWith(el("div", {}, box, save));
  box.focus();
}

function composer(placeholder, makeOp) {
  const box = el("textarea", { class: "jm-cm-input", rows: 2, maxlength: 4000, placeholder, "aria-label": placeholder });
  const send = el("button", { type: "submit", class: "jm-btn jm-btn-primary", text: _("Send") });
  const form = el("form", { class: "jm-cm-form" }, box, send);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = box.value.trim().normalize("NFC");
    if (!text) return;
    box.focus(); // a disabled button would drop focus to <body>
    send.disabled = true;
    if (await sendComment(makeOp(text))) {
      box.value = "";
      toast(_("Comment sent."));
    }
    send.disabled = false;
  });
  return form;
}

function drawComments() {
  const drawer = document.getElementById("jm-comments");
  if (!drawer) return;
  const target = state.target;
  const list = el("div", { class: "jm-cm-list" });
  for (const root of threadsFor(target)) {
    const thread = el("div", { class: "jm-cm-thread" }, commentNode(root, true));
    for (const reply of state.comments.filter((c) => c.parent === root.id)) thread.append(commentNode(reply, false));
    if (can("commenter") && !root.resolved) {
      thread.append(composer(_("Reply…"), (text) => ({ type: "comment.create", id: newId(), parent: root.id, text })));
    }
    if (!target) {
      const where = root.item ? ed.store.item(root.item) : ed.store.stage(root.stage);
      const label = where ? where.name || where.text || "" : "";
      thread.prepend(el("div", { class: "jm-cm-where", text: label }));
    }
    list.append(thread);
  }
  if (!list.children.length) list.append(el("p", { class: "jm-cm-empty", text: _("No comments yet.") }));
  const head = el("div", { class: "jm-cm-head" },
    el("h2", { text: target ? fmt(_("Comments on “%(name)s”"), { name: targetName(target) }) : _("All comments") }),
    el("button", { type: "button", class: "jm-btn jm-btn-icon", "aria-label": _("Close"), text: "×" }));
  head.lastChild.addEventListener("click", () => toggle(false));
  const resolved = el("label", { class: "jm-cm-toggle" }, el("input", { type: "checkbox" }), ` ${_("Show resolved")}`);
  resolved.firstChild.checked = state.showResolved;
  resolved.firstChild.addEventListener("change", (event) => {
    state.showResolved = event.target.checked;
    drawComments();
  });
  const parts = [head, resolved, list];
  if (can("commenter")) {
    if (target) {
      const main = composer(_("Comment… use @username to mention someone"),
        (text) => ({ type: "comment.create", id: newId(), [target.type]: target.id, text }));
      main.querySelector("textarea").dataset.main = "true";
      parts.push(main);
    } else parts.push(el("p", { class: "jm-cm-empty", text: _("Select a card or a stage to comment on it.") }));
  }
  // Redrawn after a send or a remote comment: focus stays in the drawer, not lost to <body>.
  const hadFocus = drawer.contains(document.activeElement);
  drawer.replaceChildren(...parts);
  if (hadFocus) focusDrawer(drawer);
}

function focusDrawer(drawer) {
  (drawer.querySelector("textarea[data-main]") || drawer.querySelector(".jm-cm-head button"))?.focus();
}

function toggle(open = !state.open) {
  state.open = open;
  const drawer = document.getElementById("jm-comments");
  drawer.hidden = !open;
  // Below the toolbar, however many rows it wraps to.
  drawer.style.top = `${Math.round(document.querySelector(".jm-ed-bar")?.getBoundingClientRect().bottom || 0)}px`;
  const button = document.querySelector("[data-action=comments]");
  button?.setAttribute("aria-pressed", String(open));
  if (open) {
    drawComments();
    focusDrawer(drawer);
  } else if (drawer.contains(document.activeElement) || document.activeElement === document.body) {
    // Back where the drawer was opened from: the card ("c") or the toolbar button.
    const opener = (state.opener && document.querySelector(state.opener)) || button;
    state.opener = null;
    opener?.focus();
  }
}

// A small count on every card and stage with open threads.
function decorate() {
  for (const badge of document.querySelectorAll(".jm-cm-badge")) badge.remove();
  const open = new Map();
  for (const c of state.comments) {
    if (c.parent || c.resolved) continue;
    const key = c.item || c.stage;
    open.set(key, (open.get(key) || 0) + 1);
  }
  for (const [id, count] of open) {
    const node = document.querySelector(`.jm-card[data-id="${CSS.escape(id)}"], .jm-stage-head[data-stage="${CSS.escape(id)}"]`);
    if (!node) continue;
    // Not a Tab stop of its own (a button inside a card button): keyboards press "c" on the card.
    const badge = el("button", { type: "button", class: "jm-cm-badge", tabindex: "-1", text: String(count),
      "aria-label": fmt(_("%(count)s open comments"), { count }) });
    badge.addEventListener("click", (event) => {
      event.stopPropagation();
      state.target = node.dataset.id ? { type: "item", id } : { type: "stage", id };
      toggle(true);
    });
    node.append(badge);
  }
}

// --- sharing ------------------------------------------------------------------------

const ROLES = () => [["owner", _("Owner")], ["editor", _("Editor")], ["commenter", _("Commenter")], ["viewer", _("Viewer")]];

function roleSelect(value, label, name = "role") {
  const select = el("select", { name, class: "jm-select", "aria-label": label });
  for (const [key, label] of ROLES()) select.append(el("option", { value: key, text: label }));
  select.value = value;
  return select;
}

async function drawShare(dialog) {
  const owner = can("owner");
  const members = await api(mapUrl("members/"));
  const rows = el("ul", { class: "jm-sh-members" });
  for (const row of members) {
    const item = el("li", { "data-user": row.user.username },
      el("span", { class: "jm-sh-who", text: `${row.user.name} (@${row.user.username})` }));
    if (owner && row.explicit) {
      const select = roleSelect(row.role, fmt(_("Role of %(who)s"), { who: row.user.name }));
      select.addEventListener("change", () => api(mapUrl(`members/${row.user.id}/`), { method: "PATCH", body: { role: select.value } })
        .then(() => drawShare(dialog), (error) => { toast(error.message, "error"); drawShare(dialog); }));
      const remove = el("button", { type: "button", class: "jm-btn jm-btn-danger", text: _("Remove") });
      remove.addEventListener("click", () => api(mapUrl(`members/${row.user.id}/`), { method: "DELETE" })
        .then(() => drawShare(dialog), (error) => toast(error.message, "error")));
      item.append(select, remove);
    } else item.append(el("span", { class: "jm-sh-role", text: ROLES().find(([k]) => k === row.role)?.[1] || row.role }));
    rows.append(item);
  }
  const parts = [el("h2", { text: _("Share this map") }), el("h3", { text: _("People with access") }), rows];
  if (owner) {
    const who = el("input", { name: "who", placeholder: _("Username or email"), "aria-label": _("Username or email"), required: true });
    const role = roleSelect("commenter", _("Role"));
    const invite = el("form", { class: "jm-sh-invite" }, who, role, el("button", { type: "submit", class: "jm-btn jm-btn-primary", text: _("Invite") }));
    invite.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = who.value.trim();
      const body = value.includes("@") && !value.startsWith("@") ? { email: value } : { username: value.replace(/^@/, "") };
      try {
        await api(mapUrl("members/"), { method: "POST", body: { ...body, role: role.value } });
        toast(fmt(_("%(who)s can now open this map."), { who: value }));
        drawShare(dialog);
      } catch (error) {
        toast(error.message, "error");
      }
    });
    parts.push(invite, el("h3", { text: _("Links") }), await linksSection(dialog));
  }
  const close = el("button", { type: "button", class: "jm-btn", text: _("Close") });
  close.addEventListener("click", () => dialog.close());
  parts.push(el("div", { class: "jm-dialog-actions" }, close));
  dialog.replaceChildren(...parts);
}

async function linksSection(dialog) {
  const links = await api(mapUrl("share-links/"));
  const box = el("div", { class: "jm-sh-links" });
  for (const link of links) {
    const url = el("input", { readonly: true, class: "jm-sh-url", "aria-label": _("Link") });
    url.value = link.url;
    const copy = el("button", { type: "button", class: "jm-btn", text: _("Copy") });
    copy.addEventListener("click", () => { url.select(); navigator.clipboard?.writeText(link.url); toast(_("Link copied.")); });
    const revoke = el("button", { type: "button", class: "jm-btn jm-btn-danger", text: _("Revoke") });
    revoke.addEventListener("click", () => api(mapUrl(`share-links/${link.id}/`), { method: "DELETE" }).then(() => drawShare(dialog)));
    const label = `${link.role === "viewer" ? _("Can view") : _("Can comment")}${link.expires ? ` · ${_("until")} ${new Date(link.expires).toLocaleString()}` : ""}`;
    box.append(el("div", { class: "jm-sh-link" }, el("div", { class: "jm-sh-link-meta", text: label }), url, copy, revoke));
  }
  const role = el("select", { class: "jm-select", "aria-label": _("Link role") },
    el("option", { value: "viewer", text: _("Can view") }), el("option", { value: "commenter", text: _("Can comment") }));
  const expires = el("input", { type: "date", class: "jm-select", "aria-label": _("Expires on") });
  const exportOk = el("input", { type: "checkbox" });
  const create = el("button", { type: "button", class: "jm-btn", text: _("Create link") });
  create.addEventListener("click", async () => {
    const body = { role: role.value, allow_export: exportOk.checked };
    if (expires.value) body.expires = new Date(`${expires.value}T23:59:59`).toISOString();
    try {
      await api(mapUrl("share-links/"), { method: "POST", body });
      drawShare(dialog);
    } catch (error) {
      toast(error.message, "error");
    }
  });
  box.append(el("div", { class: "jm-sh-newlink" }, role, expires,
    el("label", {}, exportOk, ` ${_("Allow export")}`), create));
  return box;
}

// --- mount ----------------------------------------------------------------------------

function mount() {
  const bar = document.getElementById("jm-toolbar-extra");
  if (!bar || document.getElementById("jm-comments")) return;
  document.head.append(el("link", { rel: "stylesheet", href: new URL("../../css/collab.css", import.meta.url).href }));
  const comments = el("button", { type: "button", class: "jm-btn", "data-action": "comments", "aria-pressed": "false", text: _("Comments") });
  comments.addEventListener("click", () => { state.opener = null; toggle(); });
  const share = el("button", { type: "button", class: "jm-btn", "data-action": "share", text: _("Share") });
  const dialog = el("dialog", { id: "jm-share-dialog", class: "jm-dialog jm-share-dialog", "aria-label": _("Share this map") });
  document.body.append(dialog);
  share.addEventListener("click", async () => {
    dialog.showModal();
    try {
      await drawShare(dialog);
    } catch (error) {
      toast(error.message, "error");
    }
  });
  const history = el("a", { class: "jm-btn", href: `/maps/${ed.config.map}/history/`, text: _("History") });
  bar.append(comments, share, history);
  const drawer = el("aside", { id: "jm-comments", class: "jm-cm-drawer", "aria-label": _("Comments"), hidden: true });
  drawer.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.stopPropagation(); toggle(false); }
  });
  document.body.append(drawer);
  on("select", (selection) => {
    state.target = selection && selection.type !== "lane" ? { type: selection.type, id: selection.id } : null;
    if (state.open) drawComments();
  });
  onAfterRender(decorate);
  // "c" on a focused card or stage header comments on it: the keyboard's way to the drawer.
  document.getElementById("jm-grid").addEventListener("keydown", (event) => {
    if (event.key.toLowerCase() !== "c" || event.ctrlKey || event.metaKey || event.altKey || !can("commenter")) return;
    const node = event.target.closest(".jm-card[data-id], .jm-stage-head");
    if (!node || event.target.closest(".jm-inline")) return;
    event.preventDefault();
    state.target = node.dataset.id ? { type: "item", id: node.dataset.id } : { type: "stage", id: node.dataset.stage };
    // A selector, not the node: the lane may be redrawn while the drawer is open.
    state.opener = node.dataset.id ? `.jm-card[data-id="${CSS.escape(node.dataset.id)}"]` : `.jm-stage-head[data-stage="${CSS.escape(node.dataset.stage)}"]`;
    toggle(true);
  });
  ed.transport.onRemote((change) => {
    if (change.ops.some((op) => op.type.startsWith("comment."))) loadComments();
  });
  // The role changed or access ended (access.js): comment boxes the person may no longer use
  // close, handing back what they held; the share dialog closes if it offered an owner's tools.
  let rights = [can("commenter"), can("owner")];
  document.addEventListener("jm:role", (event) => {
    const now = [can("commenter"), can("owner")];
    if (now[0] === rights[0] && now[1] === rights[1]) return;
    rights = now;
    const boxes = [...document.querySelectorAll("#jm-comments textarea")];
    if (!now[0]) event.detail.keep(boxes.map((box) => box.value).filter((v) => v.trim()));
    const draft = now[0] ? document.querySelector("#jm-comments textarea[data-main]")?.value : "";
    if (state.open) drawComments();
    const main = document.querySelector("#jm-comments textarea[data-main]");
    if (draft && main) main.value = draft; // still allowed to comment: the draft stays
    if (dialog.open && !now[1]) dialog.close();
  });
  api("/api/notifications/").then((data) => { state.me = data.me; drawComments(); }, () => {});
  loadComments();
  document.body.dataset.collab = "ready";
}

if (window.jmEditor) mount();
else document.addEventListener("jm:ready", mount, { once: true });
