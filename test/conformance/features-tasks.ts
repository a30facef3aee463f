/**
 * Helpers for the ports of the original adhesive's behaviour scenarios
 * (features/*.feature of germaniumhq/adhesive). Only the public API is used;
 * the recording convention is the one of shared/conformance/README.md.
 */
import { fileURLToPath } from "node:url";
import type { Context, RunReporter, TaskFunction } from "../../src/index.js";
import { executionCounts, record } from "./recording.js";

export { executionCounts, record };

/** Absolute path of a fixture in test/fixtures/conformance/. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/conformance/${name}`, import.meta.url));
}

/** Lets the other tasks of the pool start before this one goes on (no timing is asserted). */
export function yieldToOthers(ms = 5): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A recording task: adds a unique id to data.executions[ctx.taskName], then runs `then` if given. */
export function recording(then?: TaskFunction): TaskFunction {
  return (ctx, ...groups) => {
    record(ctx);
    return then?.(ctx, ...groups);
  };
}

/** A recording task that first checks ctx.loop.expression (the shared convention for looped nodes). */
export function recordingInLoop(expression: string, then?: TaskFunction): TaskFunction {
  return (ctx, ...groups) => {
    if (ctx.loop?.expression !== expression) {
      throw new Error(`ctx.loop.expression is ${JSON.stringify(ctx.loop?.expression)}, expected ${JSON.stringify(expression)}`);
    }
    record(ctx);
    return then?.(ctx, ...groups);
  };
}

export type TaskEventKind = "started" | "finished" | "failed" | "cancelled";

export interface TaskEvent {
  kind: TaskEventKind;
  name: string;
}

/** Counts what the run reports: how many tasks ran at once, and every start / finish / failure / cancellation in order. */
export class RunObserver {
  running = 0;
  maxRunning = 0;
  readonly events: TaskEvent[] = [];
  readonly reporter: RunReporter = {
    taskStarted: (ctx: Context) => {
      this.maxRunning = Math.max(this.maxRunning, ++this.running);
      this.events.push({ kind: "started", name: ctx.taskName });
    },
    taskFinished: (ctx: Context, error: unknown) => {
      this.running--;
      this.events.push({ kind: error === undefined ? "finished" : "failed", name: ctx.taskName });
    },
    taskCancelled: (ctx: Context) => {
      this.running--;
      this.events.push({ kind: "cancelled", name: ctx.taskName });
    },
  };

  count(kind: TaskEventKind, name?: string): number {
    return this.events.filter((e) => e.kind === kind && (name === undefined || e.name === name)).length;
  }

  /** Names with the given event, sorted. */
  names(kind: TaskEventKind): string[] {
    return this.events
      .filter((e) => e.kind === kind)
      .map((e) => e.name)
      .sort();
  }

  /** Position of the first event of that kind for that task, or -1. */
  indexOf(kind: TaskEventKind, name: string): number {
    return this.events.findIndex((e) => e.kind === kind && e.name === name);
  }
}

/** A promise with its resolve function, for tasks that wait for one another. */
export function signalled<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Sizes of the Sets under the given data keys. */
export function setSizes(data: Record<string, unknown>, keys: string[]): Record<string, number> {
  return Object.fromEntries(keys.map((key) => [key, (data[key] as Set<unknown> | undefined)?.size ?? -1]));
}
