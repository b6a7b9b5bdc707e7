// The editor's banners, at the bottom of the page (styles: editor.css, "banners"):
// - banner(text, state): the connection's state (socket.js): "offline" until it is back,
//   "online" for three seconds; a polite status.
// - notice({...}): what changed about the person's access to the map (issue 24): their role
//   changed, or their access ended (signed out, removed, map deleted). Urgent ones are alerts.
//   A notice keeps what the person typed but could not save (keep()) visible and copyable,
//   however it came to be refused, until they dismiss it.
import { el } from "./dom.js";
import { _ } from "./i18n.js";

let bannerTimer = null;
let noticeTimer = null;
let kept = []; // texts typed but not saved, shown in the notice until it is dismissed
let shown = null; // the notice on screen: its options, to redraw it with more kept text

function stack() {
  let box = document.getElementById("jm-banners");
  if (!box) {
    box = el("div", { id: "jm-banners", class: "jm-banners" });
    document.body.append(box);
  }
  return box;
}

export function banner(text, state) {
  let node = document.getElementById("jm-connection");
  if (!node) {
    node = el("div", { id: "jm-connection", class: "jm-connection", role: "status", "aria-live": "polite" });
    stack().append(node);
  }
  node.textContent = text;
  node.dataset.state = state;
  node.hidden = false;
  document.body.dataset.live = state;
  clearTimeout(bannerTimer);
  if (state === "online") bannerTimer = setTimeout(() => { node.hidden = true; }, 3000);
}

export function hideBanner() {
  clearTimeout(bannerTimer);
  const node = document.getElementById("jm-connection");
  if (node) node.hidden = true;
}

// state: "ended" (access is over: stays), "lowered" (stays until dismissed), "raised" (goes by
// itself after a while unless it holds kept text). text: a paragraph or a list of them.
// link: {href, text}. keep: texts typed but not saved, added to those already kept.
export function notice({ state, title, text = [], link = null, keep: texts = [] }) {
  shown = { state, title, text: [text].flat().filter(Boolean), link };
  add(texts);
  draw();
}

// Texts the person typed that the server will not take: shown in the notice (a plain one when
// no notice is up yet; the role's notice, arriving next, takes them over).
export function keep(texts) {
  if (!add(texts)) return;
  if (!shown) shown = { state: "lowered", title: _("Your change was not saved."), text: [], link: null };
  draw();
}

function add(texts) {
  const fresh = texts.map((t) => String(t).trim()).filter((t) => t && !kept.includes(t));
  kept.push(...new Set(fresh));
  return fresh.length > 0;
}

export function keptTexts() {
  return [...kept];
}

function dismiss() {
  clearTimeout(noticeTimer);
  shown = null;
  kept = [];
  document.getElementById("jm-access")?.remove();
}

function draw() {
  const { state, title, text, link } = shown;
  const urgent = state !== "raised";
  document.getElementById("jm-access")?.remove();
  // A new node each time: an alert is read out when it appears.
  const node = el("section", {
    id: "jm-access", class: "jm-notice", "data-state": state,
    role: urgent ? "alert" : "status", "aria-live": urgent ? "assertive" : "polite",
    "aria-labelledby": "jm-access-title",
  });
  const body = el("div", { class: "jm-notice-body" },
    el("p", { id: "jm-access-title", class: "jm-notice-title", text: title }),
    ...text.map((paragraph) => el("p", { class: "jm-notice-text", text: paragraph })));
  if (kept.length) body.append(keptBox());
  const actions = el("div", { class: "jm-notice-actions" });
  if (link) actions.append(el("a", { class: "jm-btn jm-btn-primary jm-notice-link", href: link.href, text: link.text }));
  if (state !== "ended") {
    const close = el("button", { type: "button", class: "jm-btn jm-notice-dismiss", text: _("Dismiss") });
    close.addEventListener("click", dismiss);
    actions.append(close);
  }
  if (actions.children.length) body.append(actions);
  node.append(el("span", { class: "jm-notice-icon", "aria-hidden": "true", text: state === "raised" ? "✓" : "!" }), body);
  stack().prepend(node);
  clearTimeout(noticeTimer);
  if (state === "raised" && !kept.length) noticeTimer = setTimeout(dismiss, 8000);
}

function keptBox() {
  const id = "jm-access-kept";
  const area = el("textarea", { id, class: "jm-notice-kept-text", readonly: true, rows: Math.min(4, kept.length + 1) });
  area.value = kept.join("\n\n");
  const copy = el("button", { type: "button", class: "jm-btn jm-notice-copy", text: _("Copy") });
  copy.addEventListener("click", async () => {
    area.select();
    try {
      await navigator.clipboard.writeText(area.value);
      copy.textContent = _("Copied");
    } catch (_error) {
      copy.textContent = _("Selected: press Ctrl+C to copy");
    }
  });
  return el("div", { class: "jm-notice-kept" },
    el("label", { for: id, text: _("What you typed, not saved: copy it before you leave this page.") }),
    area, copy);
}
