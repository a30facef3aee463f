import type { GraphNode } from "../model/graph.js";
import type { Data } from "./data.js";
import type { TaskDataResult } from "./task-data.js";

/**
 * What the engine tells a run's journal (src/journal writes it to disk):
 * every input it applies, in the order it applies them, and every task it
 * starts. The run is a function of these inputs (inbox.ts), so a journal
 * rebuilds it without calling any user code again. `at` is the clock's time
 * when the input was applied; timers armed then count from it.
 */
export interface EngineJournal {
  /** a task took its slot; its function is called once this record is on disk; `instance`: its message instance (0: none) */
  started(seq: number, node: GraphNode, attempt: number, at: number, instance: number): void;
  /**
   * a task's function returned: what it changed in its data (undefined:
   * nothing); `decision`: what a deciding gateway's function returned (the
   * flow it takes, decisions.ts), which a replay hands back to replayDone
   */
  done(seq: number, result: TaskDataResult | undefined, at: number, decision?: unknown): void;
  failed(seq: number, error: unknown, at: number): void;
  /** the timer of an arm fired (arms are numbered in the order they were armed) */
  timer(arm: number, at: number): void;
  /** a message event started an instance at a message start event, numbered `instance` */
  emitted(node: GraphNode, event: unknown, at: number, instance: number): void;
  /** the message instance numbered `instance` ended: its tokens all reached an end (not when the run stopped it) */
  instanceEnded(instance: number, at: number): void;
  /** a message went to the catch and boundary events waiting on `node` (with a correlation: those whose data it accepts) */
  delivered(node: GraphNode, event: unknown, at: number, correlation: string | undefined): void;
  /** Calls `launch` once everything recorded so far is on disk (at the latest on the next turn of the event loop). */
  whenWritten(launch: () => void): void;
  /** Writes everything recorded so far now; false when it cannot (the run is being stopped). */
  writeNow(): boolean;
  /** Calls `done(true)` once everything recorded so far is on disk, `done(false)` when it cannot be written (the run is being stopped): an acknowledgement waits for it. */
  whenDurable(done: (written: boolean) => void): void;
}

/** A journaled input, read back for a replay (src/journal decodes them). */
export type ReplayInput =
  | { kind: "started"; seq: number; node: string; attempt: number; at: number }
  | { kind: "done"; seq: number; set: Data; deleted: readonly string[]; decision: unknown; at: number }
  | { kind: "failed"; seq: number; error: unknown; at: number }
  | { kind: "timer"; arm: number; at: number }
  | { kind: "emitted"; node: string; event: unknown; at: number }
  | { kind: "delivered"; node: string; event: unknown; correlation: string | undefined; at: number };
