// Presentation mode: one stage at a time, full screen; arrows or the buttons step through.
import { ed } from "./editor.js";
import { el } from "./dom.js";
import { _, fmt } from "./i18n.js";
import { renderCard } from "./render.js";

let index = 0;
let opener = null;

function slide() {
  const box = document.getElementById("jm-present");
  const stages = ed.store.stages();
  if (!stages.length) return close();
  index = Math.max(0, Math.min(index, stages.length - 1));
  const stage = stages[index];
  const lanes = ed.store.lanes();
  const body = el("div", { class: "jm-slide-lanes" });
  for (const lane of lanes) {
    const items = ed.store.cellItems(lane.id, stage.id);
    if (!items.length) continue;
    const cards = lane.kind === "emotions"
      ? items.map((i) => el("p", { class: "jm-slide-emotion", text: `${i.score > 0 ? "+" : ""}${i.score ?? 0}${i.note || i.text ? ` · ${i.note || i.text}` : ""}` }))
      : items.map((i) => { const c = renderCard(i); c.removeAttribute("tabindex"); c.removeAttribute("role"); return c; });
    body.append(el("section", { class: `jm-slide-lane jm-lane-${lane.kind}` }, el("h3", { text: lane.title }), el("div", { class: "jm-slide-cards" }, ...cards)));
  }
  box.replaceChildren(
    el("header", { class: "jm-slide-head", style: stage.color ? `--jm-stage-color:${stage.color}` : null },
      el("p", { class: "jm-slide-count", text: fmt(_("Stage %(n)s of %(total)s"), { n: index + 1, total: stages.length }) }),
      el("h2", { class: "jm-slide-title", tabindex: "-1", lang: ed.config.language, text: stage.name }),
      stage.description ? el("p", { class: "jm-slide-desc", text: stage.description }) : null),
    body,
    el("nav", { class: "jm-slide-nav", "aria-label": _("Stages") },
      el("button", { type: "button", class: "jm-btn", "data-present": "prev", disabled: index === 0 ? true : null }, `← ${_("Previous")}`),
      el("button", { type: "button", class: "jm-btn", "data-present": "close" }, _("Exit (Esc)")),
      el("button", { type: "button", class: "jm-btn jm-btn-primary", "data-present": "next", disabled: index === stages.length - 1 ? true : null }, `${_("Next")} →`)),
  );
}

export function open(start = 0) {
  const box = document.getElementById("jm-present");
  opener = document.activeElement;
  index = start;
  box.hidden = false;
  document.body.classList.add("jm-presenting");
  slide();
  box.querySelector("[data-present=next]")?.focus();
  if (box.requestFullscreen) box.requestFullscreen().catch(() => {});
}

export function close() {
  const box = document.getElementById("jm-present");
  box.hidden = true;
  document.body.classList.remove("jm-presenting");
  const back = () => opener?.focus();
  // Focus cannot land outside the full-screen element: give it back once full screen is left.
  if (document.fullscreenElement) document.exitFullscreen().then(back, back);
  back();
}

// The new stage's name has focus, so a screen reader reads it out.
function focusTitle(box) {
  box.querySelector(".jm-slide-title")?.focus();
}

// A modal: Tab cycles through the presentation's own buttons, never the page behind it.
function keepTabInside(box, event) {
  const stops = [...box.querySelectorAll("button:not([disabled])")];
  if (!stops.length) return;
  const first = stops[0];
  const last = stops[stops.length - 1];
  const inside = box.contains(document.activeElement);
  if (event.shiftKey && (!inside || document.activeElement === first || document.activeElement === box.querySelector(".jm-slide-title"))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (!inside || document.activeElement === last)) {
    event.preventDefault();
    first.focus();
  }
}

export function initPresentation() {
  const box = document.getElementById("jm-present");
  box.addEventListener("click", (event) => {
    const action = event.target.closest("[data-present]");
    if (!action) return;
    if (action.dataset.present === "close") return close();
    index += action.dataset.present === "next" ? 1 : -1;
    slide();
    box.querySelector(`[data-present=${action.dataset.present}]:not([disabled])`)?.focus();
  });
  // On the document: a slide redraw drops focus from the buttons, the keys must still work.
  document.addEventListener("keydown", (event) => {
    if (box.hidden) return;
    if (event.key === "Escape") { event.preventDefault(); close(); }
    else if (["ArrowRight", "PageDown", " "].includes(event.key)) { event.preventDefault(); index += 1; slide(); focusTitle(box); }
    else if (["ArrowLeft", "PageUp"].includes(event.key)) { event.preventDefault(); index -= 1; slide(); focusTitle(box); }
    else if (event.key === "Tab") keepTabInside(box, event);
  });
  document.addEventListener("fullscreenchange", () => {
    if (!document.fullscreenElement && !box.hidden) close();
  });
}
