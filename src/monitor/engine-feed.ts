import { TaskContext } from "../engine/context.js";
import type { BlockCounter, EngineObserver, TokenTracker } from "../engine/engine.js";
import type { ExpressBlock } from "../engine/express.js";
import { TokenState, type Token } from "../engine/token.js";
import type { GraphFlow, GraphNode } from "../model/graph.js";
import type { MonitorLayout } from "./layout.js";
import type { RunMonitor } from "./run-monitor.js";

/** The engine hooks of tasks that a RunMonitor counts: the run's observer calls them next to its own work. */
export type MonitorTaskHooks = Required<Pick<EngineObserver, "taskStarted" | "taskFinished" | "taskCancelled" | "tokenFailed">>;

/** Who hears of every task that ends (the inbox's answer receipts). */
export interface EndedTasks {
  taskEnded(tokenId: number, cancelled: boolean): void;
}

/**
 * Feeds a RunMonitor from the engine's hooks: it is the engine's tracker,
 * passing each token on to the run's own tracker (lanes) first, and the
 * run's observer calls its task hooks. It tells `receipts` (the inbox's
 * answer receipts) of every task that ends. Every token and task of the
 * run passes here, so it is one object of one class, not a layer of
 * closures over the run's observer: the CLI feeds a monitor in every run,
 * and a wrapping observer cost it more than the monitor's counting.
 * Tokens carry their node, so every call is an index read.
 */
export class MonitorFeed implements TokenTracker, BlockCounter, MonitorTaskHooks {
  private readonly monitor: RunMonitor;
  private readonly layout: MonitorLayout;
  private readonly next: TokenTracker | undefined;
  private readonly receipts: EndedTasks;
  /** this feed, when no tracker (lanes) needs to hear each token of a fan-out block's instance: the monitor only counts */
  readonly blocks: BlockCounter | undefined;
  /* the token whose failure is being handled: when it is taken off, that is its failure, not a cancellation */
  private failing: Token | undefined = undefined;

  constructor(monitor: RunMonitor, next: TokenTracker | undefined, receipts: EndedTasks) {
    this.monitor = monitor;
    this.layout = monitor.layout;
    this.next = next;
    this.receipts = receipts;
    this.blocks = next === undefined ? this : undefined;
  }

  entered(token: Token): void {
    this.next?.entered(token);
    this.monitor.tokenEntered(token.node.index);
  }

  moved(token: Token, from: GraphNode): void {
    this.next?.moved(token, from);
    this.monitor.tokenMoved(from.index, token.node.index);
  }

  left(token: Token): void {
    this.next?.left(token);
    const failed = token === this.failing;
    if (failed) this.failing = undefined;
    this.monitor.tokenLeft(token.node.index, token.state === TokenState.Cancelled && !failed);
  }

  took(flow: GraphFlow): void {
    this.next?.took?.(flow);
    this.monitor.flowTaken(this.layout.flowOf(flow));
  }

  forked(block: ExpressBlock): void {
    this.monitor.blockForked(block.intoFork, block.intoTasks);
  }

  joined(flow: GraphFlow): void {
    this.monitor.tokenMoved(flow.source.index, flow.target.index);
    this.monitor.flowTaken(this.layout.flowOf(flow));
  }

  ended(block: ExpressBlock, merged: number): void {
    this.monitor.blockEnded(block.intoEnd, merged);
  }

  taskStarted(ctx: TaskContext): void {
    this.monitor.taskStarted(this.indexOf(ctx));
  }

  taskFinished(ctx: TaskContext, error: unknown): void {
    this.monitor.taskFinished(this.indexOf(ctx), ctx.tokenId, ctx.taskName, error);
    this.receipts.taskEnded(ctx.tokenId, false);
  }

  taskCancelled(ctx: TaskContext): void {
    this.monitor.taskCancelled(this.indexOf(ctx));
    this.receipts.taskEnded(ctx.tokenId, true);
  }

  tokenFailed(token: Token, error: unknown, caught: boolean): void {
    this.failing = token;
    this.monitor.elementFailed(token.node.index, token.id, token.taskName || token.node.name, error, caught);
  }

  /* the context's token stands on the task's node: two reads, where a lookup by the element's id cost more than the monitor's counting */
  private indexOf(ctx: TaskContext): number {
    return (TaskContext.handleOf(ctx) as Token).node.index;
  }
}
