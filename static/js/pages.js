// Small progressive enhancements for the server-rendered pages; everything works without it.

// Menus are <details>: close them with Escape (focus back on the toggle) and on an outside click.
const menus = () => document.querySelectorAll("details.jm-menu[open]");

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of menus()) {
    menu.open = false;
    menu.querySelector("summary")?.focus();
  }
});

document.addEventListener("click", (event) => {
  for (const menu of menus()) {
    if (!menu.contains(event.target)) menu.open = false;
  }
});

// Dashboard filters apply as soon as a select changes; the Apply button stays for keyboards.
for (const select of document.querySelectorAll("form.jm-filters select")) {
  select.addEventListener("change", () => select.form.requestSubmit());
}
