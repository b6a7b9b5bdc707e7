// UI strings go through Django's JavaScript catalog (/jsi18n/, loaded before the modules).
// The map's own content language is separate: it never changes these labels.
export function _(text) {
  return typeof window.gettext === "function" ? window.gettext(text) : text;
}

// Fills %(name)s placeholders. Write fmt(_("…%(name)s…"), {name}) so makemessages finds the
// literal; a text that is not a msgid (already translated) passes through gettext unchanged.
export function fmt(text, values) {
  return _(text).replace(/%\((\w+)\)s/g, (_m, key) => String(values[key] ?? ""));
}
