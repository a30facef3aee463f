import type { LoopInfo, RunInfo } from "../api/types.js";
import type { StartTimes } from "./start-times.js";

/** What a status line shows of a running task: its name, and its loop value when it has one. */
export type RunningTask = string | { readonly name: string; readonly loop: LoopInfo };

/** A run's running tasks by token id, with when each started, as the run keeps them for task durations: to read, never to change. */
export type RunningTasks = Pick<StartTimes<RunningTask>, "size" | "oldest">;

/**
 * A reporter of this package that shows the running tasks (the CLI's status
 * line on a terminal) is handed the table in which the run keeps their
 * start times anyway, right after runStarted, instead of keeping a second
 * one: that cost it two table writes and a clock reading per task.
 */
export const watchesRunningTasks = Symbol("adhesive.watchesRunningTasks");

export interface WatchesRunningTasks {
  [watchesRunningTasks]?(info: RunInfo, running: RunningTasks): void;
}
