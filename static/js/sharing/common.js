// Shared helpers for the sharing and history pages. User text only ever goes in via
// textContent (never innerHTML).

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function labels() {
  const out = {};
  const template = document.getElementById("jm-labels");
  if (!template) return out;
  for (const span of template.content.querySelectorAll("[data-key]")) {
    out[span.dataset.key] = span.textContent.trim();
  }
  return out;
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export async function api(url, { method = "GET", body } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
    init.headers["X-CSRFToken"] = csrfToken();
  }
  const response = await fetch(url, init);
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error((data && data.message) || response.statusText);
    error.status = response.status;
    error.code = data && data.code;
    throw error;
  }
  return data;
}

// A document that is polled: each GET sends the ETag of the copy held (If-None-Match) and a
// 304 answers `null` (nothing changed, nothing sent); otherwise the fresh body, as api() does.
export function revalidating(url) {
  let etag = null;
  return async function get() {
    const headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    const response = await fetch(url, { credentials: "same-origin", headers, cache: "no-store" });
    if (response.status === 304 && etag) return null;
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = new Error((data && data.message) || response.statusText);
      error.status = response.status;
      error.code = data && data.code;
      throw error;
    }
    etag = response.headers.get("ETag");
    return data;
  };
}

export function when(iso) {
  const date = new Date(iso);
  return date.toLocaleString(document.documentElement.lang || undefined, {
    dateStyle: "medium",
    timeStyle: "short",
  });
}

// The unread count in the header, on every page that has one.
export async function bell() {
  const link = document.querySelector("[data-notifications]");
  if (!link) return;
  try {
    const data = await api(link.dataset.notifications);
    const badge = link.querySelector(".jm-sh-count");
    if (badge && data.unread > 0) {
      badge.textContent = String(data.unread);
      badge.hidden = false;
    }
  } catch {
    /* the bell is a convenience: a failed count shows nothing */
  }
}

// A UUID4 for new comments and changes; crypto.randomUUID needs a secure context.
export function uuid4() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
