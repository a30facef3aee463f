import type { TaskContext } from "../engine/context.js";
import type { EngineObserver, TokenTracker } from "../engine/engine.js";
import { TokenState, type Token } from "../engine/token.js";
import type { GraphFlow, GraphNode, ProcessGraph } from "../model/graph.js";
import type { RunMonitor } from "./run-monitor.js";

/**
 * Feeds a RunMonitor from the engine's hooks, next to whatever tracker
 * (lanes) and observer (logs, reporter) the run already has, and tells
 * `taskEnded` (the inbox's answer receipts) of every task that ends. Tokens
 * carry their node, so most calls are an index read; task hooks find the
 * node by id (a Map lookup, no allocation). Every token of the run passes
 * here, so there is one layer of calls, not one per listener.
 */
export function feedMonitor(
  monitor: RunMonitor,
  graph: ProcessGraph,
  tracker: TokenTracker | undefined,
  observer: EngineObserver,
  taskEnded: (tokenId: number, cancelled: boolean) => void,
): { tracker: TokenTracker; observer: EngineObserver } {
  const layout = monitor.layout;
  const indexOf = (ctx: TaskContext): number => graph.byId.get(ctx.task.id)!.index;
  /* the token whose failure is being handled: when it is taken off, that is its failure, not a cancellation */
  let failing: Token | undefined;
  const fed: TokenTracker = {
    entered(token: Token) {
      tracker?.entered(token);
      monitor.tokenEntered(token.node.index);
    },
    moved(token: Token, from: GraphNode) {
      tracker?.moved(token, from);
      monitor.tokenMoved(from.index, token.node.index);
    },
    left(token: Token) {
      tracker?.left(token);
      const failed = token === failing;
      if (failed) failing = undefined;
      monitor.tokenLeft(token.node.index, token.state === TokenState.Cancelled && !failed);
    },
    took(flow: GraphFlow) {
      tracker?.took?.(flow);
      monitor.flowTaken(layout.flowOf(flow));
    },
  };
  // every other hook of the run's observer (and any added later) passes through as it is
  const watched: EngineObserver = {
    ...observer,
    taskStarted(ctx) {
      observer.taskStarted?.(ctx);
      monitor.taskStarted(indexOf(ctx));
    },
    taskFinished(ctx, error) {
      observer.taskFinished?.(ctx, error);
      monitor.taskFinished(indexOf(ctx), ctx.tokenId, ctx.taskName, error);
      taskEnded(ctx.tokenId, false);
    },
    taskCancelled(ctx) {
      observer.taskCancelled?.(ctx);
      monitor.taskCancelled(indexOf(ctx));
      taskEnded(ctx.tokenId, true);
    },
    tokenFailed(token, error, caught) {
      observer.tokenFailed?.(token, error, caught);
      failing = token;
      monitor.elementFailed(token.node.index, token.id, token.taskName || token.node.name, error, caught);
    },
  };
  return { tracker: fed, observer: watched };
}
