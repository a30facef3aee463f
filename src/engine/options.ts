import type { CompiledExpression } from "../model/expression.js";
import type { TimerSchedule } from "../model/timer.js";
import type { GraphFlow, GraphNode } from "../model/graph.js";
import type { Clock } from "./clock.js";
import type { TaskContext } from "./context.js";
import type { EngineJournal } from "./journal.js";
import type { ExpressBlock } from "./express.js";
import type { Schedule } from "./slice.js";
import type { Token } from "./token.js";

/**
 * What can still bring a message to a node: a message source that is still
 * sending, or the run's inbox, which delivers only when someone outside
 * sends (adhesive send).
 */
export type Feeder = "source" | "inbox";

/** Runs the user side of executable nodes; the engine never imports it. */
export interface NodeRunner {
  /** whether the node has a function to run (gateways may have none) */
  implements(node: GraphNode): boolean;
  /** runs the node's function; a returned promise makes the task asynchronous */
  run(ctx: TaskContext, node: GraphNode, token: Token): unknown;
  /** the task's view of the run's workspace: what ctx.workspace gives, made when the task first reads it */
  workspaceOf?(ctx: TaskContext): unknown;
  /** the task printed `text` (its context is the sink its console calls go to) */
  write?(ctx: TaskContext, text: string): void;
  /** a promise run() returned has settled (before the engine takes its outcome in) */
  settled?(): void;
  /** the node's `deduplicate` key expression, if its implementation has one */
  deduplicate?(node: GraphNode): CompiledExpression | undefined;
  /** a loop marker without an expression: the loop its implementation gives (task()'s `loop` option) */
  loop?(node: GraphNode): { expression: CompiledExpression; sequential: boolean } | undefined;
  /** a timer event without a value: when it fires, as its timer() declaration says */
  schedule?(node: GraphNode): TimerSchedule | undefined;
  /** a conditional event without a condition: its condition() declaration's */
  condition?(node: GraphNode): CompiledExpression | undefined;
  /** whether a message() or messageCallback() source is bound to the node (a receive task then waits for its messages) */
  fedFromOutside?(node: GraphNode): boolean;
  /** what can still bring a message to the node now; undefined: nothing, a token waiting there waits in vain */
  feeder?(node: GraphNode): Feeder | undefined;
}

/**
 * Follows tokens from node to node (lanes count the tokens in them; a live
 * view could draw them). Called synchronously on the hot path: keep it cheap.
 */
export interface TokenTracker {
  /** a new token stands at token.node (started, forked or a loop iteration) */
  entered(token: Token): void;
  /** the token went on to token.node from `from` */
  moved(token: Token, from: GraphNode): void;
  /** the token is leaving the board from token.node (finished, merged or cancelled) */
  left(token: Token): void;
  /** a token takes `flow` (a live view draws the path a run took) */
  took?(flow: GraphFlow): void;
  /**
   * Given by a tracker that only counts tokens and flows per element (the
   * live view's monitor): an instance of a fan-out block (express.ts) then
   * tells it each half of its way in one call, instead of the steps of
   * each of its tokens, about 30 calls an instance for the seed's 5 tasks.
   * What it counts must come out as from the steps.
   */
  readonly blocks?: BlockCounter;
}

/** What a counting tracker hears of a fan-out block's instance (TokenTracker.blocks). */
export interface BlockCounter {
  /** An instance began: its event's token stood on the block's start, went through the fork, and one token stands on each of its tasks. */
  forked(block: ExpressBlock): void;
  /** The token of a task that succeeded took the task's one flow, to the block's join. */
  joined(flow: GraphFlow): void;
  /** The instance's last token reached the join: `merged` tokens there became one, which went on to the end event and finished. */
  ended(block: ExpressBlock, merged: number): void;
}

/** Hooks for reporting (terminal lines, logs, lanes); all optional. */
export interface EngineObserver {
  taskStarted?(ctx: TaskContext): void;
  /** `error` is undefined when the task succeeded */
  taskFinished?(ctx: TaskContext, error: unknown): void;
  taskCancelled?(ctx: TaskContext): void;
  /** a task cancelled while it ran has now returned or thrown (its cleanup is done) */
  cancelledTaskSettled?(): void;
  /** the run can only go on once one of these message events gets a message through its inbox (nothing else runs, waits for a timer or sends) */
  waitingForMessages?(nodes: readonly GraphNode[]): void;
  /**
   * A token failed at token.node: its task threw (right after that task's
   * taskFinished), or its gateway, loop, condition, event or data mapping
   * could not go on. `caught`: an error boundary event or error event
   * sub-process takes it over and the run goes on; otherwise the run fails
   * with it. Called before the catcher starts or any token is cancelled, so
   * a reporter can tell the failing element from those cancelled with it.
   * Failures replayed from a journal and caught then are not told again.
   */
  tokenFailed?(token: Token, error: unknown, caught: boolean): void;
}

export interface EngineOptions {
  executionId: string;
  waitTasks: boolean;
  poolSize: number;
  runner: NodeRunner;
  observer?: EngineObserver;
  signal?: AbortSignal;
  /** time for timer events (default: the system clock) */
  clock?: Clock;
  tracker?: TokenTracker;
  /** false: every instance goes through the token queue, also a fan-out block's (express.ts); the reference test/engine/express.test.ts compares with */
  express?: boolean;
  /** how the engine continues on a later turn of the event loop (default setImmediate) */
  schedule?: Schedule;
  /** the run fails once it has started this many tasks (a cycle that never ends); default: no limit */
  taskLimit?: number;
  /** what a failure becomes before it goes into `data._error` or the run's TaskError (the runtime masks secrets there) */
  failure?: (error: unknown) => unknown;
  /** records the run's inputs so it can be rebuilt after a crash (src/journal); task functions wait for it to write */
  journal?: EngineJournal;
}
