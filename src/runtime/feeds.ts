import type { Feeder } from "../engine/options.js";
import type { GraphNode } from "../model/graph.js";
import { takesMessages } from "../inbox/inbox.js";

/**
 * What can still bring a message to a message event of the run, for the
 * engine's stall check: a message() or messageCallback() source that has
 * not ended, or the run's inbox (`adhesive send`, the live view), which
 * takes a message for any message event while the run lasts. A run started
 * through the API has no inbox unless it asks for one: a token waiting for
 * a message there waits in vain once its sources have ended.
 */
export class Feeds {
  /** per node: its sources still running */
  private readonly live = new Map<GraphNode, number>();
  private readonly inbox: boolean;

  constructor(inbox: boolean) {
    this.inbox = inbox;
  }

  /** A source starts sending to `nodes`. */
  opened(nodes: readonly GraphNode[]): void {
    for (const node of nodes) this.live.set(node, (this.live.get(node) ?? 0) + 1);
  }

  /** A source that sent to `nodes` has ended. */
  closed(nodes: readonly GraphNode[]): void {
    for (const node of nodes) this.live.set(node, this.live.get(node)! - 1);
  }

  feeder(node: GraphNode): Feeder | undefined {
    if ((this.live.get(node) ?? 0) > 0) return "source";
    return this.inbox && takesMessages(node) ? "inbox" : undefined;
  }
}
