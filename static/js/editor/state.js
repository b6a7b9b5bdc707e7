// The map document and the ops that change it, applied locally exactly as the server does
// (maps/ops.py), plus the inverse of each op for undo. Edits are optimistic: `local` is the
// server-confirmed document with the pending changes replayed on top; a rejected change is
// dropped and `local` rebuilt from what the server confirmed.
import { byPosition } from "./keys.js";

// What an item may hold is the server's item schema (maps/item_schema.py, browser_schema()),
// handed to the page as the json_script "jm-item-schema": the attributes of each kind in the
// document's key order, those null clears (null blanks the others) or may not name, each
// kind's defaults on create, the blank values, and the item kind of each lane kind. The page
// gives it to configure() before any op is applied; nothing of it is written down here.
let schema = null;

export function configure(given) {
  schema = {
    fieldsOfKind: given.fields_of_kind,
    accepts: Object.fromEntries(Object.entries(given.fields_of_kind).map(([kind, names]) => [kind, new Set(names)])),
    nullable: new Set(given.nullable),
    nullRefused: new Set(given.null_refused),
    defaults: given.defaults,
    blank: given.blank,
    kindOfLane: given.kind_of_lane,
  };
}

function itemSchema() {
  if (!schema) throw new Error("state.js: configure(schema) has not been called");
  return schema;
}

export function itemKindForLane(kind) {
  return itemSchema().kindOfLane[kind] || "card";
}

class OpFailed extends Error {}

function clone(value) {
  return structuredClone(value);
}

// Lookup tables over a document; rebuilt when the document is replaced.
function indexed(doc) {
  return {
    doc,
    stages: new Map(doc.stages.map((s) => [s.id, s])),
    lanes: new Map(doc.lanes.map((l) => [l.id, l])),
    items: new Map(doc.items.map((i) => [i.id, i])),
  };
}

function must(table, id, label) {
  const found = table.get(id);
  if (!found) throw new OpFailed(`${label} ${id} does not exist`);
  return found;
}

function blankNulls(fields, names) {
  const out = { ...fields };
  for (const name of names) if (name in out && out[name] === null) out[name] = "";
  return out;
}

function itemValues(kind, given) {
  const { accepts, nullable, nullRefused } = itemSchema();
  const out = {};
  for (const [name, value] of Object.entries(given)) {
    if (!accepts[kind]?.has(name)) throw new OpFailed(`a ${kind} item has no ${name}`);
    if (value === null && nullRefused.has(name)) throw new OpFailed(`${name}: may not be null`);
    out[name] = value === null && !nullable.has(name) ? "" : value;
  }
  return out;
}

function removeWhere(list, predicate) {
  for (let i = list.length - 1; i >= 0; i -= 1) if (predicate(list[i])) list.splice(i, 1);
}

// Applies one op to an indexed document; returns what needs drawing again.
function applyOp(t, op, dirty) {
  const doc = t.doc;
  switch (op.type) {
    case "map.update":
      Object.assign(doc, op.fields);
      dirty.map = true;
      break;
    case "stage.create": {
      const stage = { id: op.id, name: op.name, position: op.position, description: op.description || "",
        phase: op.phase || "", color: op.color || "", subjourney: op.subjourney || null };
      doc.stages.push(stage);
      t.stages.set(stage.id, stage);
      dirty.full = true;
      break;
    }
    case "stage.update":
      Object.assign(must(t.stages, op.id, "stage"), blankNulls(op.fields, ["description", "phase", "color"]));
      dirty.full = true;
      break;
    case "lane.update":
      Object.assign(must(t.lanes, op.id, "lane"), blankNulls(op.fields, ["description"]));
      dirty.lanes.add(op.id);
      break;
    case "stage.move":
    case "lane.move": {
      const table = op.type === "stage.move" ? t.stages : t.lanes;
      must(table, op.id, op.type.split(".")[0]).position = op.position;
      dirty.full = true;
      break;
    }
    case "stage.delete":
    case "lane.delete": {
      const isStage = op.type === "stage.delete";
      must(isStage ? t.stages : t.lanes, op.id, isStage ? "stage" : "lane");
      const list = isStage ? doc.stages : doc.lanes;
      removeWhere(list, (x) => x.id === op.id);
      (isStage ? t.stages : t.lanes).delete(op.id);
      const key = isStage ? "stage" : "lane";
      removeWhere(doc.items, (item) => {
        if (item[key] !== op.id) return false;
        t.items.delete(item.id);
        return true;
      });
      dirty.full = true;
      break;
    }
    case "lane.create": {
      const lane = { id: op.id, kind: op.kind, title: op.title, position: op.position,
        description: op.description || "", collapsed: Boolean(op.collapsed) };
      doc.lanes.push(lane);
      t.lanes.set(lane.id, lane);
      dirty.full = true;
      break;
    }
    case "item.create": {
      const lane = must(t.lanes, op.lane, "lane");
      must(t.stages, op.stage, "stage");
      if (t.items.has(op.id)) throw new OpFailed(`item id ${op.id} is already used`);
      const kind = itemKindForLane(lane.kind);
      const given = {};
      for (const [name, value] of Object.entries(op)) {
        if (!["type", "id", "lane", "stage", "position"].includes(name)) given[name] = value;
      }
      const item = { id: op.id, lane: op.lane, stage: op.stage, kind, position: op.position };
      const { fieldsOfKind, blank, defaults } = itemSchema();
      for (const name of fieldsOfKind[kind]) item[name] = blank[name];
      Object.assign(item, defaults[kind] || {}, itemValues(kind, given));
      doc.items.push(item);
      t.items.set(item.id, item);
      dirty.lanes.add(op.lane);
      break;
    }
    case "item.update": {
      const item = must(t.items, op.id, "item");
      Object.assign(item, itemValues(item.kind, op.fields));
      // A card redraws alone; an emotion point moves its curve, so the lane redraws.
      if (item.kind === "emotion" || !dirty.items) dirty.lanes.add(item.lane);
      else dirty.items.add(item.id);
      break;
    }
    case "item.move": {
      const item = must(t.items, op.id, "item");
      dirty.lanes.add(item.lane);
      if (op.lane) {
        const lane = must(t.lanes, op.lane, "lane");
        if (itemKindForLane(lane.kind) !== item.kind) throw new OpFailed(`a ${item.kind} item cannot move into a ${lane.kind} lane`);
        item.lane = op.lane;
      }
      if (op.stage) {
        must(t.stages, op.stage, "stage");
        item.stage = op.stage;
      }
      item.position = op.position;
      dirty.lanes.add(item.lane);
      break;
    }
    case "item.delete":
      must(t.items, op.id, "item");
      removeWhere(doc.items, (x) => x.id === op.id);
      t.items.delete(op.id);
      dirty.full = true; // links and the side panel may point at it
      break;
    default:
      // persona, link and comment ops do not change what the grid draws.
      dirty.full = true;
  }
}

// The item.create that brings `item` back: it names each attribute that differs from what a
// create fills in by itself (the kind's default, else the blank value).
function itemCreateOp(item) {
  const { fieldsOfKind, blank, defaults } = itemSchema();
  const filled = { ...blank, ...(defaults[item.kind] || {}) };
  const op = { type: "item.create", id: item.id, lane: item.lane, stage: item.stage, position: item.position };
  for (const name of fieldsOfKind[item.kind]) {
    if (item[name] !== undefined && item[name] !== filled[name]) op[name] = item[name];
  }
  op.text = item.text || "";
  return op;
}

function pick(object, names) {
  const out = {};
  for (const name of names) out[name] = object[name] ?? null;
  return out;
}

// The ops that undo `op`, computed against the document before `op` is applied.
function inverseOf(t, op) {
  switch (op.type) {
    case "map.update":
      return [{ type: "map.update", fields: pick(t.doc, Object.keys(op.fields)) }];
    case "stage.create":
    case "lane.create":
    case "item.create":
      return [{ type: op.type.replace("create", "delete"), id: op.id }];
    case "stage.update":
      return [{ type: op.type, id: op.id, fields: pick(must(t.stages, op.id, "stage"), Object.keys(op.fields)) }];
    case "lane.update":
      return [{ type: op.type, id: op.id, fields: pick(must(t.lanes, op.id, "lane"), Object.keys(op.fields)) }];
    case "item.update":
      return [{ type: op.type, id: op.id, fields: pick(must(t.items, op.id, "item"), Object.keys(op.fields)) }];
    case "stage.move":
      return [{ type: op.type, id: op.id, position: must(t.stages, op.id, "stage").position }];
    case "lane.move":
      return [{ type: op.type, id: op.id, position: must(t.lanes, op.id, "lane").position }];
    case "item.move": {
      const item = must(t.items, op.id, "item");
      return [{ type: op.type, id: op.id, position: item.position, lane: item.lane, stage: item.stage }];
    }
    case "item.delete":
      return [itemCreateOp(must(t.items, op.id, "item"))];
    case "stage.delete": {
      const s = must(t.stages, op.id, "stage");
      const create = { type: "stage.create", id: s.id, name: s.name, position: s.position, description: s.description,
        phase: s.phase, color: s.color };
      return [create, ...t.doc.items.filter((i) => i.stage === s.id).map(itemCreateOp)];
    }
    case "lane.delete": {
      const l = must(t.lanes, op.id, "lane");
      const create = { type: "lane.create", id: l.id, kind: l.kind, title: l.title, position: l.position,
        description: l.description, collapsed: l.collapsed };
      return [create, ...t.doc.items.filter((i) => i.lane === l.id).map(itemCreateOp)];
    }
    default:
      return null; // not undoable from here (personas, links, comments)
  }
}

export class Store {
  constructor(doc) {
    this.confirmed = indexed(clone(doc));
    this.pending = []; // [{id, ops}]
    this.local = indexed(clone(doc));
    this.revision = doc.revision;
    this.loadedAt = doc.revision; // the revision of the last document loaded whole
    this.listeners = [];
  }

  get doc() {
    return this.local.doc;
  }

  subscribe(callback) {
    this.listeners.push(callback);
  }

  notify(dirty) {
    for (const callback of this.listeners) callback(dirty);
  }

  stage(id) { return this.local.stages.get(id); }
  lane(id) { return this.local.lanes.get(id); }
  item(id) { return this.local.items.get(id); }

  stages() { return [...this.doc.stages].sort(byPosition); }
  lanes() { return [...this.doc.lanes].sort(byPosition); }

  cellItems(laneId, stageId) {
    return this.doc.items.filter((i) => i.lane === laneId && i.stage === stageId).sort(byPosition);
  }

  // Inverse ops of a batch, each computed against the state the op finds (so a batch that
  // touches the same object twice still undoes right). Throws if an op cannot apply.
  inverse(ops) {
    if (ops.length === 1) {
      const only = inverseOf(this.local, ops[0]);
      return only === null ? null : only;
    }
    const scratch = indexed(clone(this.doc));
    const inverses = [];
    for (const op of ops) {
      const inv = inverseOf(scratch, op);
      if (inv === null) return null;
      inverses.unshift(...inv);
      applyOp(scratch, op, { lanes: new Set() });
    }
    return inverses;
  }

  // Applies a change of ours optimistically; returns the dirty set.
  applyLocal(change) {
    const dirty = { full: false, lanes: new Set(), items: new Set() };
    try {
      for (const op of change.ops) applyOp(this.local, op, dirty);
    } catch (error) {
      this.rebuild(); // all or nothing, as on the server
      throw error;
    }
    this.pending.push(change);
    this.notify(dirty);
    return dirty;
  }

  acknowledge(changeId, revision) {
    const index = this.pending.findIndex((c) => c.id === changeId);
    if (index === -1) return;
    const [change] = this.pending.splice(index, 1);
    // A document loaded after the server applied this change (a resync) already holds it.
    if (revision && revision <= this.loadedAt) return;
    const dirty = { full: false, lanes: new Set() };
    for (const op of change.ops) applyOp(this.confirmed, op, dirty);
    this.revision = Math.max(this.revision, revision || 0);
  }

  // The server refused a change of ours: forget it and show what the server has.
  reject(changeId) {
    this.pending = this.pending.filter((c) => c.id !== changeId);
    this.rebuild();
  }

  // Someone else's change (from the op log or the socket).
  applyRemote(change) {
    if (change.revision && change.revision <= this.revision) return;
    const dirty = { full: false, lanes: new Set(), items: new Set() };
    try {
      for (const op of change.ops) applyOp(this.confirmed, op, dirty);
    } catch (_error) {
      // A remote op our copy cannot place means we drifted: the caller reloads.
      this.revision = change.revision || this.revision;
      throw _error;
    }
    this.revision = change.revision || this.revision;
    if (this.pending.length) this.rebuild();
    else {
      for (const op of change.ops) applyOp(this.local, op, { lanes: new Set() });
      this.notify(dirty);
    }
  }

  replace(doc) {
    this.confirmed = indexed(clone(doc));
    this.revision = doc.revision;
    this.loadedAt = doc.revision;
    this.rebuild();
  }

  rebuild() {
    this.local = indexed(clone(this.confirmed.doc));
    const kept = [];
    for (const change of this.pending) {
      try {
        const scratch = { lanes: new Set() };
        for (const op of change.ops) applyOp(this.local, op, scratch);
        kept.push(change);
      } catch (_error) {
        this.local = indexed(clone(this.confirmed.doc));
        for (const c of kept) for (const op of c.ops) applyOp(this.local, op, { lanes: new Set() });
      }
    }
    this.notify({ full: true, lanes: new Set() });
  }
}

export { OpFailed };
