import type { GraphNode } from "../model/graph.js";

/** What `ctx.loop` shows; `parent` is the enclosing loop. */
export interface LoopContext {
  index: number;
  key: unknown;
  value: unknown;
  expression: string;
  parent: LoopContext | undefined;
  /** the looped node this iteration belongs to */
  node: GraphNode;
}

/** Remaining work of a sequential collection loop or a condition loop. */
export interface LoopRun {
  kind: "sequential" | "condition";
  entries: Array<[unknown, unknown]> | undefined;
  outer: LoopContext | undefined;
  /** a condition loop: the value and data its current iteration started with (an iteration that changes neither repeats forever) */
  value: unknown;
  data: unknown;
}

/** Turns a loop expression value into iteration entries ([key, value]); undefined means a condition loop. */
export function loopEntries(value: unknown): Array<[unknown, unknown]> | undefined {
  if (value === null || value === undefined || value === false) return [];
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return value ? undefined : [];
  }
  if (value instanceof Map) return [...value.entries()];
  if (typeof (value as Iterable<unknown>)[Symbol.iterator] === "function") {
    return [...(value as Iterable<unknown>)].map((item) => [item, item]);
  }
  if (typeof value === "object") return Object.entries(value as object);
  return value ? undefined : [];
}
