import type { GraphNode } from "../model/graph.js";
import type { Core } from "./core.js";
import type { Token } from "./token.js";
import type { Arm } from "./waits.js";

/**
 * Signals are broadcast: a signal throw or end event reaches every token of
 * the run waiting for a signal of that name (catch events, boundary events,
 * event sub-process start events, in every pool) and starts an instance of
 * each process that runs with a signal start event of that name. The
 * waiting tokens are the ones waiting when it is thrown, in document and
 * then arming order, so a broadcast is the same on every replay.
 */
export class Signals {
  private readonly core: Core;

  constructor(core: Core) {
    this.core = core;
  }

  broadcast(token: Token): void {
    const core = this.core;
    const nodes = core.graph.signals.get(token.node.signalName ?? "");
    if (nodes === undefined) return;
    const arms: Arm[] = [];
    const starts: GraphNode[] = [];
    for (const node of nodes) {
      if (node.kind === "signalStartEvent" && node.scope.process) {
        if (core.events.scopes.runs(node.scope)) starts.push(node);
      } else {
        arms.push(...core.triggers.waits.armsOn(node));
      }
    }
    // an arm an earlier one withdrew (an interrupting boundary cancelled its token) is no longer live and ignores it
    for (const arm of arms) core.triggers.triggered(arm, undefined);
    for (const start of starts) core.startInstance(start, undefined);
  }
}
