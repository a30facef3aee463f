import type { GraphNode } from "../model/graph.js";
import type { DataRef } from "./data.js";
import type { Frame } from "./frame.js";
import type { LoopContext, LoopRun } from "./loop-context.js";
import type { Arm } from "./waits.js";
import type { TaskContext } from "./context.js";
import type { TaskData } from "./task-data.js";

/** Where a token is in its life; numbers keep the record small and monomorphic. */
export const enum TokenState {
  /** queued to be processed at its node */
  Arrived = 0,
  /** parked at a join until no other live token can reach the node */
  Waiting = 1,
  /** waiting for a free slot of the task pool */
  Ready = 2,
  /** its task is executing */
  Running = 3,
  /** its sub-process instance is running */
  InSubProcess = 4,
  /** finished running, queued to leave the node */
  Completed = 5,
  Done = 6,
  Cancelled = 7,
  /** standing on a catch event or an event-based gateway until a timer or message triggers */
  Catching = 8,
  /** parked at a task whose deduplicate key another token holds */
  Deduplicated = 9,
  /**
   * not on the board: holds the arms of a scope instance's event
   * sub-processes, or of the run's timer start events (scope-events.ts)
   */
  Watching = 10,
}

/**
 * An execution token: a plain record owned by the engine. All behaviour lives
 * in the engine; the token only says where it is and what data it carries.
 */
export interface Token {
  id: number;
  node: GraphNode;
  frame: Frame;
  ref: DataRef;
  /** while its activity runs with input mappings: the data around the activity, which its completion goes back to (data-mapping.ts) */
  outer: DataRef | undefined;
  loop: LoopContext | undefined;
  /** set while the token iterates a sequential or condition loop */
  run: LoopRun | undefined;
  state: TokenState;
  /** document order of the flow it arrived by; decides merge order at joins */
  via: number;
  /** bumped when the token moves or is cancelled, so stale task completions are ignored */
  generation: number;
  taskName: string;
  /** the number of its running task among the run's task starts (what the journal calls it) */
  seq: number;
  abort: AbortController | undefined;
  /** the context of its running task */
  context: TaskContext | undefined;
  /** the copy-on-write view of the running task's ctx.data, made when the task first reads it */
  view: TaskData | undefined;
  child: Frame | undefined;
  /** its node's lane name, rendered when it entered the node */
  lane: string | undefined;
  /** timers and message subscriptions of its node's boundary or catch events */
  arms: Arm[] | undefined;
  /** intrusive list of the frame's live tokens (cancellation walks it) */
  prev: Token | undefined;
  next: Token | undefined;
}

/** A token record in state Arrived; every token is made here, so they all have one shape. */
export function tokenRecord(id: number, node: GraphNode, frame: Frame, ref: DataRef, loop: LoopContext | undefined, via: number): Token {
  return {
    id,
    node,
    frame,
    ref,
    outer: undefined,
    loop,
    run: undefined,
    state: TokenState.Arrived,
    via,
    generation: 0,
    taskName: "",
    seq: 0,
    abort: undefined,
    view: undefined,
    context: undefined,
    child: undefined,
    arms: undefined,
    lane: undefined,
    prev: undefined,
    next: undefined,
  };
}
