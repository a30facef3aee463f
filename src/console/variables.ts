import type { RunState } from "../journal/records.js";
import { redact } from "../secrets/redact.js";
import { rawValue, type HeldValue } from "./data-trail.js";
import { instanceData } from "./instances.js";
import type { JournalView } from "./journal-view.js";

/*
 * The variables of a run (its data) or of one message instance, as a tree
 * the page opens one level at a time: a request names the path of the node
 * it opens and gets that node's entries, a page of them, each container
 * among them closed (its kind and size only). So a key that holds 100k
 * items or 10 MB costs the page the entries it shows, never the whole
 * value. The API masks secrets in what leaves; strings are masked here too,
 * before they are cut (a cut secret would no longer be recognised).
 */

/** A container shows at most this many entries per request; the page asks for more. */
export const TREE_PAGE = 200;
/* a string shows this many characters */
const MAX_TEXT = 2000;

export type NodeType = "object" | "array" | "map" | "set" | "string" | "number" | "boolean" | "null" | "undefined" | "other";

export interface TreeNode {
  type: NodeType;
  /** a container's entry count */
  size?: number;
  /** a leaf's value as text: JSON for strings and numbers, a description for the others (a Date, a Buffer, ...) */
  text?: string;
  /** an opened container's entries [offset, offset + TREE_PAGE) */
  entries?: TreeEntry[];
  offset?: number;
}

export interface TreeEntry {
  /** what the entry is shown as: a key, an index, a Map's key */
  key: string;
  /** what a request names it by in a path: a key of an object, else its position */
  step: string | number;
  node: TreeNode;
}

export type Step = string | number;

export interface VariablesAnswer {
  /** whose data: the run's, or one instance's */
  of: "run" | "instance";
  /** where it comes from: the run's result (its end record), the journal's changes so far, or nothing the journal kept */
  source: "result" | "journal" | "none";
  path: Step[];
  node: TreeNode | undefined;
}

/**
 * The node at `path` of the run's data (or, with `instance`, of that
 * instance's), opened: its entries from `offset`. A run that succeeded
 * shows its result; a running or stopped one its initial data and what the
 * tasks of no message instance changed, in journal order.
 */
export function variables(view: JournalView, run: RunState, options: { instance?: number; path?: Step[]; offset?: number }): VariablesAnswer | undefined {
  const path = options.path ?? [];
  const offset = Math.max(0, options.offset ?? 0);
  if (options.instance !== undefined) {
    const data = instanceData(view, options.instance);
    if (data === undefined) return undefined;
    return { of: "instance", source: "journal", path, node: nodeIn(heldRoot(data), path, offset) };
  }
  if (run === "done" && view.end?.data !== undefined) return { of: "run", source: "result", path, node: nodeIn(rawValue(view.end.data), path, offset) };
  const data = view.data.rootData();
  return { of: "run", source: data === undefined ? "none" : "journal", path, node: data === undefined ? undefined : nodeIn(heldRoot(data), path, offset) };
}

/* the root is a map of held values (each decoded only when its path goes through it) or a value */
function nodeIn(root: Map<string, HeldValue> | unknown, path: readonly Step[], offset: number): TreeNode | undefined {
  let value: unknown;
  if (root instanceof Map && isHeld(root)) {
    if (path.length === 0) return opened(root.size, keysOfHeld(root), offset);
    const first = root.get(String(path[0]));
    if (first === undefined) return undefined;
    value = rawValue(first);
    path = path.slice(1);
  } else value = root;
  for (const step of path) {
    const found = child(value, step);
    if (found === NOTHING) return undefined;
    value = found;
  }
  const node = leafOrClosed(value);
  if (node.size === undefined) return node;
  return opened(node.size, entriesOf(value), offset, node.type);
}

const NOTHING = Symbol("nothing");

/* the data maps built here are marked, so a Map in the data is never taken for one */
const heldMaps = new WeakSet<Map<string, HeldValue>>();

/* a map of held values that nodeIn() takes as the root of a tree, key by key */
function heldRoot(data: Map<string, HeldValue>): Map<string, HeldValue> {
  heldMaps.add(data);
  return data;
}

function isHeld(value: Map<unknown, unknown>): value is Map<string, HeldValue> {
  return heldMaps.has(value as Map<string, HeldValue>);
}

function* keysOfHeld(root: Map<string, HeldValue>): Generator<[string, Step, () => unknown]> {
  for (const [key, value] of root) yield [key, key, () => rawValue(value)];
}

/* the entries of a container, lazily: a page decodes only the entries it shows */
function* entriesOf(value: unknown): Generator<[string, Step, () => unknown]> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield [String(i), i, () => value[i]];
  } else if (value instanceof Map) {
    let i = 0;
    for (const [key, item] of value) yield [keyText(key), i++, () => item];
  } else if (value instanceof Set) {
    let i = 0;
    for (const item of value) yield [String(i), i++, () => item];
  } else if (value !== null && typeof value === "object") {
    for (const key of Object.keys(value)) yield [key, key, () => (value as Record<string, unknown>)[key]];
  }
}

function opened(size: number, entries: Iterable<[string, Step, () => unknown]>, offset: number, type: NodeType = "object"): TreeNode {
  const shown: TreeEntry[] = [];
  let i = 0;
  for (const [key, step, value] of entries) {
    if (i >= offset + TREE_PAGE) break;
    if (i++ < offset) continue;
    shown.push({ key, step, node: leafOrClosed(value()) });
  }
  return { type, size, entries: shown, offset };
}

function child(value: unknown, step: Step): unknown {
  if (Array.isArray(value)) return typeof step === "number" && step >= 0 && step < value.length ? value[step] : NOTHING;
  if (value instanceof Map || value instanceof Set) {
    if (typeof step !== "number") return NOTHING;
    let i = 0;
    for (const item of value instanceof Map ? value.values() : value) if (i++ === step) return item;
    return NOTHING;
  }
  if (value !== null && typeof value === "object" && typeof step === "string" && Object.hasOwn(value, step)) return (value as Record<string, unknown>)[step];
  return NOTHING;
}

/* a leaf with its text, or a container closed: its kind and size */
function leafOrClosed(value: unknown): TreeNode {
  switch (typeof value) {
    case "string":
      return { type: "string", text: stringText(value) };
    case "number":
      return { type: "number", text: String(value) };
    case "boolean":
      return { type: "boolean", text: String(value) };
    case "undefined":
      return { type: "undefined", text: "undefined" };
    case "bigint":
      return { type: "number", text: `${value}n` };
    case "object":
      break;
    default:
      return { type: "other", text: String(value) };
  }
  if (value === null) return { type: "null", text: "null" };
  if (Array.isArray(value)) return { type: "array", size: value.length };
  if (value instanceof Map) return { type: "map", size: value.size };
  if (value instanceof Set) return { type: "set", size: value.size };
  if (value instanceof Date) return { type: "other", text: Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString() };
  if (value instanceof RegExp) return { type: "other", text: String(value) };
  if (value instanceof Error) return { type: "other", text: redact(`${value.name}: ${value.message}`) };
  if (ArrayBuffer.isView(value)) return { type: "other", text: `${value.constructor.name} of ${value.byteLength} bytes` };
  return { type: "object", size: Object.keys(value).length };
}

function stringText(value: string): string {
  const masked = redact(value);
  if (masked.length <= MAX_TEXT) return JSON.stringify(masked);
  return `${JSON.stringify(masked.slice(0, MAX_TEXT))}… (${masked.length} characters)`;
}

function keyText(key: unknown): string {
  return typeof key === "string" ? key : (leafOrClosed(key).text ?? `(${leafOrClosed(key).type})`);
}
