import { StalledError } from "../errors.js";
import type { GraphNode } from "../model/graph.js";
import type { Core } from "./core.js";
import type { Frame } from "./frame.js";
import { TokenState, type Token } from "./token.js";
import type { Arm } from "./waits.js";

/**
 * A run in which every live token waits for a message a flow would bring,
 * a signal or a condition, while no task runs, no timer is armed and no
 * event source can send, would wait forever: it fails with a StalledError
 * naming where its tokens wait. Checked when the engine has nothing left
 * to do and nothing can start new instances; it stops at the first token
 * that is still doing something.
 */
export class Stall {
  private readonly core: Core;

  constructor(core: Core) {
    this.core = core;
  }

  check(root: Frame, instances: Iterable<Frame>): void {
    const core = this.core;
    if (core.finished || core.triggers.waits.armedTimers > 0) return;
    const waiting = new Set<GraphNode>();
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
    if (waiting.size > 0) core.failRun(new StalledError([...waiting]));
  }

  /* an arm a message() or messageCallback() source may still trigger */
  private fed(token: Token | undefined): boolean {
    const runner = this.core.options.runner;
    return token?.arms?.some((arm: Arm) => runner.fedFromOutside?.(arm.event) === true) ?? false;
  }
}
