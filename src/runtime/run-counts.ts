import type { RunInfo } from "../api/types.js";
import type { ProcessGraph } from "../model/graph.js";

/**
 * What a run counts for a reporter of this package that takes the counts
 * (the CLI's): the tasks that succeeded, per element, and the message
 * events that started an instance. While `quiet` is true a task that
 * succeeds is only counted here: the reporter hears neither its start nor
 * its end, and no duration is taken for it. Failures and cancellations
 * always reach the reporter's hooks, with their durations. The CLI above
 * task_line_rate and with task lines off prints counts, not tasks: two
 * hook calls per task, a lookup of the run and one of the task's name cost
 * it more than the engine's own work on a no-op task.
 */
export interface RunCounts {
  /** per element (GraphNode.index): the tasks that succeeded there */
  readonly done: Float64Array;
  /** per element: the name counts give it (its name, else its id) */
  readonly names: readonly string[];
  /** message events that started an instance */
  events: number;
  /** set by the reporter: true while it prints no line for a task that succeeds */
  quiet: boolean;
}

/** Hands a reporter of this package its run's counts, right after runStarted; the run then counts instead of calling eventReceived. */
export const takesRunCounts = Symbol("adhesive.takesRunCounts");

export interface TakesRunCounts {
  [takesRunCounts]?(info: RunInfo, counts: RunCounts): void;
}

export function runCounts(graph: ProcessGraph): RunCounts {
  return { done: new Float64Array(graph.nodes.length), names: graph.nodes.map((node) => node.name || node.id), events: 0, quiet: false };
}

/** The tasks that succeeded in the run so far. */
export function doneIn(counts: RunCounts): number {
  let done = 0;
  for (let i = 0; i < counts.done.length; i++) done += counts.done[i];
  return done;
}
