import type { GraphNode } from "../model/graph.js";
import { START_KINDS } from "../model/kinds.js";
import type { Core } from "./core.js";
import type { Token } from "./token.js";
import type { Arm } from "./waits.js";

/** A signal thrown in the current step: the tokens handed out after the thrower and queued before the throw move in the same step. */
interface Thrown {
  name: string;
  after: number;
  until: number;
}

/**
 * Signals are broadcast: a signal throw or end event reaches every token of
 * the run waiting for a signal of that name (catch events, boundary events,
 * event sub-process start events, in every pool) and starts an instance of
 * each process that runs with a signal start event of that name. The
 * waiting tokens are the ones waiting when it is thrown, in document and
 * then arming order, so a broadcast is the same on every replay.
 *
 * Tokens that a split queued beside the thrower are simultaneous with it,
 * whichever the queue hands out first: a signal catch they arm in the same
 * step gets the signal too, once the queue has emptied (the catch waits,
 * and a task whose boundary it is has not been called yet). A catch armed
 * on the thrower's own path, or by a token queued after the throw, comes
 * after it and does not.
 */
export class Signals {
  private readonly core: Core;
  private readonly thrown: Thrown[] = [];
  /** catches armed in the step after a signal of their name was thrown in it */
  private readonly late: Arm[] = [];

  constructor(core: Core) {
    this.core = core;
  }

  broadcast(token: Token): void {
    const core = this.core;
    const name = token.node.signalName ?? "";
    const nodes = core.graph.signals.get(name);
    if (nodes === undefined) return;
    const arms: Arm[] = [];
    const starts: GraphNode[] = [];
    for (const node of nodes) {
      if (START_KINDS.has(node.kind) && node.scope.process) {
        if (core.events.scopes.runs(node.scope)) starts.push(node);
      } else {
        arms.push(...core.triggers.waits.armsOn(node));
      }
    }
    this.thrown.push({ name, after: core.taken, until: core.queued });
    // an arm an earlier one withdrew (an interrupting boundary cancelled its token) is no longer live and ignores it
    for (const arm of arms) core.triggers.triggered(arm, undefined);
    for (const start of starts) core.startInstance(start, undefined);
  }

  /** A signal catch was armed: if a signal of its name was thrown earlier in the step by a token beside this one, it gets it. */
  armed(arm: Arm): void {
    if (this.thrown.length === 0) return;
    const taken = this.core.taken;
    for (const thrown of this.thrown) {
      if (thrown.name === arm.event.signalName && taken > thrown.after && taken <= thrown.until) {
        this.late.push(arm);
        return;
      }
    }
  }

  /** The queue emptied: the step is over, and the catches armed late in it get their signal. True when one did. */
  deliverLate(): boolean {
    if (this.thrown.length === 0) return false;
    this.thrown.length = 0;
    if (this.late.length === 0) return false;
    const arms = this.late.splice(0);
    for (const arm of arms) this.core.triggers.triggered(arm, undefined);
    return true;
  }
}
