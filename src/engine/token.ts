import type { GraphNode } from "../model/graph.js";
import type { DataRef } from "./data.js";
import type { Frame } from "./frame.js";
import type { LoopContext, LoopRun } from "./loop-context.js";
import type { Arm } from "./waits.js";
import type { TaskContext } from "./context.js";
import type { TaskData } from "./task-data.js";
import { laneOf } from "./lane-of.js";

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
 * Fields most tokens never set live on a side record (TokenExtras), made by
 * the first that does: every token pays one slot for them, not seven.
 */
export class Token {
  id: number;
  node: GraphNode;
  frame: Frame;
  ref: DataRef;
  loop: LoopContext | undefined;
  state: TokenState;
  /** document order of the flow it arrived by; decides merge order at joins */
  via: number;
  /** bumped when the token moves or is cancelled, so stale task completions are ignored */
  generation: number;
  taskName: string;
  /** the number of its running task among the run's task starts (what the journal calls it) */
  seq: number;
  /** the context of its running task */
  context: TaskContext | undefined;
  /** intrusive list of the frame's live tokens (cancellation walks it) */
  prev: Token | undefined;
  next: Token | undefined;
  private extras: TokenExtras | undefined;

  constructor(id: number, node: GraphNode, frame: Frame, ref: DataRef, loop: LoopContext | undefined, via: number) {
    this.id = id;
    this.node = node;
    this.frame = frame;
    this.ref = ref;
    this.loop = loop;
    this.state = TokenState.Arrived;
    this.via = via;
    this.generation = 0;
    this.taskName = "";
    this.seq = 0;
    this.context = undefined;
    this.prev = undefined;
    this.next = undefined;
    this.extras = undefined;
  }

  /** while its activity runs with input mappings: the data around the activity, which its completion goes back to (data-mapping.ts) */
  get outer(): DataRef | undefined {
    return this.extras?.outer;
  }

  set outer(value: DataRef | undefined) {
    if (this.extras !== undefined || value !== undefined) this.withExtras().outer = value;
  }

  /** set while the token iterates a sequential or condition loop */
  get run(): LoopRun | undefined {
    return this.extras?.run;
  }

  set run(value: LoopRun | undefined) {
    if (this.extras !== undefined || value !== undefined) this.withExtras().run = value;
  }

  get abort(): AbortController | undefined {
    return this.extras?.abort;
  }

  set abort(value: AbortController | undefined) {
    if (this.extras !== undefined || value !== undefined) this.withExtras().abort = value;
  }

  /** the copy-on-write view of the running task's ctx.data, made when the task first reads it */
  get view(): TaskData | undefined {
    return this.extras?.view;
  }

  set view(value: TaskData | undefined) {
    if (this.extras !== undefined || value !== undefined) this.withExtras().view = value;
  }

  get child(): Frame | undefined {
    return this.extras?.child;
  }

  set child(value: Frame | undefined) {
    if (this.extras !== undefined || value !== undefined) this.withExtras().child = value;
  }

  /** its node's lane name, rendered when it entered the node */
  get lane(): string | undefined {
    return this.extras?.lane;
  }

  set lane(value: string | undefined) {
    if (this.extras !== undefined || value !== undefined) this.withExtras().lane = value;
  }

  /** timers and message subscriptions of its node's boundary or catch events */
  get arms(): Arm[] | undefined {
    return this.extras?.arms;
  }

  set arms(value: Arm[] | undefined) {
    if (this.extras !== undefined || value !== undefined) this.withExtras().arms = value;
  }

  private withExtras(): TokenExtras {
    return (this.extras ??= new TokenExtras());
  }
}

/* what only some tokens have: a sub-process, boundary events, a lane, data mappings, a loop being iterated, a task that read ctx.data or ctx.signal */
class TokenExtras {
  outer: DataRef | undefined = undefined;
  run: LoopRun | undefined = undefined;
  abort: AbortController | undefined = undefined;
  view: TaskData | undefined = undefined;
  child: Frame | undefined = undefined;
  lane: string | undefined = undefined;
  arms: Arm[] | undefined = undefined;
}

/** A token record in state Arrived. */
export function tokenRecord(id: number, node: GraphNode, frame: Frame, ref: DataRef, loop: LoopContext | undefined, via: number): Token {
  return new Token(id, node, frame, ref, loop, via);
}

/** The token stands on `target` now, come by the flow of order `via`: a new generation (outcomes of what it ran before no longer apply), in the node's lane. */
export function standAt(token: Token, target: GraphNode, via: number): void {
  token.node = target;
  token.via = via;
  token.generation++;
  token.lane = laneOf(token);
}
