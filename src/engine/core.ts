import type { ExpressionScope } from "../model/expression.js";
import type { GraphNode, ProcessGraph, Scope } from "../model/graph.js";
import type { TaskContext, TaskNodeInfo } from "./context.js";
import type { TaskHost } from "./task-host.js";
import type { DataRef } from "./data.js";
import type { EngineOptions } from "./options.js";
import type { Frame } from "./frame.js";
import type { InputKind } from "./inputs.js";
import type { EngineJournal } from "./journal.js";
import type { Arm } from "./waits.js";
import type { EventParts } from "./event-parts.js";
import type { GraphFlow } from "../model/graph.js";
import type { LoopContext } from "./loop-context.js";
import type { Loops } from "./loops.js";
import type { Tasks } from "./tasks.js";
import type { Token } from "./token.js";
import type { Triggers } from "./triggers.js";
import type { Outside } from "./outside.js";

/**
 * What element behaviours (elements/) and the engine's parts (tasks, loops,
 * triggers, joins) may do with the token machine. The Engine implements it;
 * nothing outside src/engine sees it.
 */
export interface Core {
  readonly graph: ProcessGraph;
  readonly options: EngineOptions;
  /** per node index: what a task function sees as ctx.task */
  readonly infos: readonly TaskNodeInfo[];
  readonly tasks: Tasks;
  readonly loops: Loops;
  readonly triggers: Triggers;
  /** message flows, signals, escalations, event sub-processes, compensation, conditions and decisions */
  readonly events: EventParts;
  /** event sources that keep the run open, and the messages they send */
  readonly outside: Outside;
  /** whether the run has ended (finished, failed or cancelled) */
  readonly finished: boolean;
  /** gives task contexts their signal and data view */
  readonly host: TaskHost;

  /** the run's journal, if it keeps one (not while it is rebuilt from one) */
  readonly journal: EngineJournal | undefined;
  /** the run is being rebuilt from its journal: no task function is called */
  readonly replaying: boolean;

  /**
   * How many tokens the queue has handed out, and taken in, since the run
   * began: the tokens queued when something happens, and not yet handed
   * out, move in the same step as it.
   */
  readonly taken: number;
  readonly queued: number;

  /** The clock's time, for the journal. */
  now(): number;
  /** An input from outside the token machine: applied now if the engine is idle, else once it is. */
  input(kind: InputKind, target: Token | Arm | GraphNode, generation: number, payload: unknown): void;
  /** A new token at `node`, queued to arrive there. */
  spawn(node: GraphNode, frame: Frame, ref: DataRef, loop: LoopContext | undefined, via: number): Token;
  /** A new token standing at `node`, not queued (loop iterations start at once). */
  createToken(node: GraphNode, frame: Frame, ref: DataRef, loop: LoopContext | undefined, via: number): Token;
  /** Queues a token that arrived (state Arrived) or finished its work at its node (state Completed). */
  enqueue(token: Token): void;
  /** A token that finished its work at its node leaves it now (what the queue does with a Completed token). */
  complete(token: Token): void;
  /** The token is past its join: a loop starts on a looped node, else the element does its work. */
  enter(token: Token): void;
  /** The element does its work for the token (past any join; for a looped node, once per iteration). */
  execute(token: Token): void;
  /** Leaves the node through the outgoing flows that apply. */
  route(token: Token): void;
  /** Moves a token to another node of its frame without queueing it. */
  relocate(token: Token, target: GraphNode, via: number): void;
  /** The token reached an end: its data joins the frame's result. */
  finish(token: Token): void;
  /** Takes a token off the board. */
  remove(token: Token): void;
  /** The token failed: the nearest error boundary catches it, else the run fails. */
  fail(token: Token, error: unknown): void;
  cancelToken(token: Token): void;
  cancelFrame(frame: Frame): void;
  failRun(error: Error): void;
  /**
   * A new instance of `scope`: the run, a message event's run or a sub-process
   * instance owned by `owner`. `ref`: the data it starts with (default the owner's),
   * which its event sub-processes start from.
   */
  newFrame(scope: Scope, parent: Frame | undefined, owner: Token | undefined, ref?: DataRef): Frame;
  /** A new instance of the process of `start` (a timer, signal or message start event), with `data.event` when `event` is given; `instance`: a message event's instance number. */
  startInstance(start: GraphNode, event: unknown, instance?: number): void;
  /** Moves the token along `flow`, queued to arrive at its target. */
  take(token: Token, flow: GraphFlow): void;
  /** The root frame of the token's instance is a message event's (its deduplication keys live as long as it does). */
  eventFrameOf(token: Token): Frame | undefined;
  /** What expressions see; a script gets its task's ctx. */
  scopeOf(token: Token, context?: TaskContext): ExpressionScope;
}
