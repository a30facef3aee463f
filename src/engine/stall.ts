import { StalledError } from "../errors.js";
import type { GraphNode } from "../model/graph.js";
import type { Core } from "./core.js";
import type { Frame } from "./frame.js";
import type { Feeder } from "./options.js";
import { TokenState, type Token } from "./token.js";
import type { Arm } from "./waits.js";

/**
 * A run in which every live token waits for a message, a signal or a
 * condition, while no task runs and no timer is armed, can only go on if
 * something outside the token machine brings a message: a message source
 * that is still sending, or someone using the run's inbox. With neither it
 * would wait forever, so it fails with a StalledError naming where its
 * tokens wait; when only the inbox can help, the observer hears which
 * messages the run waits for (the CLI says how to send them). Checked when
 * the engine has nothing left to do and nothing can start new instances;
 * it stops at the first token that is still doing something.
 */
export class Stall {
  private readonly core: Core;
  /* the message events only the inbox can feed, found by the check in progress */
  private readonly asked = new Set<GraphNode>();

  constructor(core: Core) {
    this.core = core;
  }

  check(root: Frame, instances: Iterable<Frame>): void {
    const core = this.core;
    if (core.finished || core.triggers.waits.armedTimers > 0) return;
    const waiting = new Set<GraphNode>();
    const asked = this.asked;
    asked.clear();
    const pending = [root, ...instances];
    for (let frame = pending.pop(); frame !== undefined; frame = pending.pop()) {
      if (this.fed(frame.watcher)) return;
      for (let token = frame.head; token !== undefined; token = token.next) {
        if (token.state === TokenState.InSubProcess) {
          if (token.child !== undefined) pending.push(token.child);
          if (this.fed(token)) return;
        } else if (token.state === TokenState.Catching) {
          if (this.fed(token)) return;
          waiting.add(token.node);
        } else if (token.state !== TokenState.Waiting) {
          return;
        }
      }
    }
    if (asked.size > 0) core.options.observer?.waitingForMessages?.([...asked]);
    else if (waiting.size > 0) core.failRun(new StalledError([...waiting], hint(waiting)));
  }

  /* whether a source still sends to one of the token's arms (or its loop's: a looped activity's boundaries); arms only the inbox can feed are noted */
  private fed(token: Token | undefined): boolean {
    return this.feeds(token?.arms) || this.feeds(token?.run?.arms);
  }

  private feeds(arms: Arm[] | undefined): boolean {
    if (arms === undefined) return false;
    const runner = this.core.options.runner;
    for (const arm of arms) {
      const feeder: Feeder | undefined = runner.feeder?.(arm.event);
      if (feeder === "source") return true;
      if (feeder === "inbox") this.asked.add(arm.event);
    }
    return false;
  }
}

/* tokens that wait for a message in a run without an inbox: say where messages could come from */
function hint(waiting: ReadonlySet<GraphNode>): string | undefined {
  if (![...waiting].some((node) => node.messageName !== undefined || node.kind === "receiveTask")) return undefined;
  return "a message event gets its messages from a message() or messageCallback() source while it runs, or, in a run with an inbox (the CLI, or inbox: true in the API), from adhesive send";
}
