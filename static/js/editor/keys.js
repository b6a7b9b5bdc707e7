// Position keys: fractional-index strings (base62), the same as the server's
// `fractional_indexing` package; equal keys are ordered by id (PROTOCOL.md).
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

export function newId() {
  return crypto.randomUUID();
}
