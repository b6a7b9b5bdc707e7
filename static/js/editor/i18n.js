// UI strings go through Django's JavaScript catalog (/jsi18n/, loaded before the modules).
// The map's own content language is separate: it never changes these labels.
export function _(text) {
  return typeof window.gettext === "function" ? window.gettext(text) : text;
}

export function fmt(text, values) {
  const translated = _(text);
  return translated.replace(/%\((\w+)\)s/g, (_m, key) => String(values[key] ?? ""));
}
