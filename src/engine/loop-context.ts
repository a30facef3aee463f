import type { GraphNode } from "../model/graph.js";
import type { DataRef } from "./data.js";
import type { Token } from "./token.js";
import type { Arm } from "./waits.js";

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
  /**
   * an activity that completes once (a condition loop, a multi-instance
   * activity): its timer, message, signal and conditional boundaries, armed
   * once for the activity on one of its tokens (waits.ts)
   */
  arms: Arm[] | undefined;
}

/** A LoopRun record; every one is made here, so they all have one shape. */
export function loopRun(kind: LoopRun["kind"], entries: Array<[unknown, unknown]> | undefined, outer: LoopContext | undefined): LoopRun {
  return { kind, entries, outer, value: undefined, data: undefined, start: undefined, pending: 0, tokens: undefined, results: undefined, outputs: undefined, arms: undefined };
}

/**
 * Turns a loop expression value into iteration entries ([key, value]);
 * undefined means a condition loop. A collection (an array, Set, Map,
 * iterable or object) gives one entry per item; anything else is a
 * condition: a truthy one loops, a falsy one skips the activity, unless the
 * condition is tested after the first iteration (do-while).
 */
export function loopEntries(value: unknown, testBefore = true): Array<[unknown, unknown]> | undefined {
  if (value instanceof Map) return [...value.entries()];
  if (typeof value === "object" && value !== null) {
    if (typeof (value as Iterable<unknown>)[Symbol.iterator] === "function") return [...(value as Iterable<unknown>)].map((item) => [item, item]);
    return Object.entries(value);
  }
  return value || !testBefore ? undefined : [];
}
