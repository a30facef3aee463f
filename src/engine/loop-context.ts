import type { GraphNode } from "../model/graph.js";
import type { DataRef } from "./data.js";
import type { Token } from "./token.js";

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

/**
 * Remaining work of a loop that is more than one token passing through:
 * - "sequential" and "condition": adhesive's loop convention, one iteration after another;
 * - "instances" and "sequence": a BPMN multi-instance activity (a collection or a
 *   cardinality), parallel or sequential, which completes once, after its last instance.
 */
export interface LoopRun {
  kind: "sequential" | "condition" | "instances" | "sequence";
  entries: Array<[unknown, unknown]> | undefined;
  outer: LoopContext | undefined;
  /** a condition loop: the value and data its current iteration started with (an iteration that changes neither repeats forever) */
  value: unknown;
  data: unknown;
  /** a multi-instance activity: the data it started with (a boundary path leaves with it) */
  start: DataRef | undefined;
  /** parallel instances: how many are still running, their tokens, and the data of each one that completed (by index) */
  pending: number;
  tokens: Token[] | undefined;
  results: Array<DataRef | undefined> | undefined;
  /** each completed instance's outputElement, by index (Zeebe outputCollection) */
  outputs: unknown[] | undefined;
}

/** A LoopRun record; every one is made here, so they all have one shape. */
export function loopRun(kind: LoopRun["kind"], entries: Array<[unknown, unknown]> | undefined, outer: LoopContext | undefined): LoopRun {
  return { kind, entries, outer, value: undefined, data: undefined, start: undefined, pending: 0, tokens: undefined, results: undefined, outputs: undefined };
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
