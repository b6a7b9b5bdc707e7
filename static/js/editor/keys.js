// Position keys: fractional-index strings (base62), the same as the server's
// `fractional_indexing` package; equal keys are ordered by id (docs/protocol.md).
import { generateKeyBetween } from "../../vendor/fractional-indexing/index.js";

export function byPosition(a, b) {
  if (a.position < b.position) return -1;
  if (a.position > b.position) return 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

// A key that sorts between two neighbours (either may be null for "at the end").
export function keyBetween(before, after) {
  const a = before ?? null;
  let b = after ?? null;
  if (a !== null && b !== null && a >= b) b = null; // tied neighbours: place just after `a`
  try {
    return generateKeyBetween(a, b);
  } catch (_error) {
    return generateKeyBetween(a, null);
  }
}

// The key for inserting at `index` into `siblings` (sorted, without the moved one).
export function keyAt(siblings, index) {
  const before = index > 0 ? siblings[index - 1].position : null;
  const after = index < siblings.length ? siblings[index].position : null;
  return keyBetween(before, after);
}

// A UUID4 made here, so a retried change can never create a duplicate (docs/protocol.md).
// crypto.randomUUID needs a secure context; a plain-http intranet install gets the same
// UUID4 from getRandomValues.
export function newId() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
