import { TaskError } from "../errors.js";
import type { CompiledExpression } from "../model/expression.js";
import type { GraphNode } from "../model/graph.js";
import type { Core } from "./core.js";
import type { Frame } from "./frame.js";
import { TokenState, type Token } from "./token.js";
import type { Arm } from "./waits.js";

/**
 * Conditional events. A conditional catch event lets its token pass at once
 * when its condition holds on the token's data, else the token waits. Each
 * time an activity completes (its data may have changed), the conditional
 * catch, boundary and event sub-process start events waiting in its scope
 * instance or any instance around it are evaluated on that activity's data;
 * one fires the first time its condition holds, once per scope instance
 * (each token has its own data, so a condition that held on one branch's
 * data may not on another's: it does not fire again on every change).
 */
export class Conditions {
  private readonly core: Core;
  /** arms whose condition has held: they do not fire again */
  private readonly fired = new WeakSet<Arm>();

  constructor(core: Core) {
    this.core = core;
  }

  /** The condition of a conditional event: the file's, or for one drawn without, its condition() declaration's. */
  conditionOf(event: GraphNode): CompiledExpression | undefined {
    return event.condition ?? this.core.options.runner.condition?.(event);
  }

  /** Whether the condition of `event` (the token's catch event, or one after its gateway) holds on the token's data; false too when it failed the token. */
  holdsOnArrival(token: Token, event: GraphNode): boolean {
    try {
      return Boolean(this.conditionOf(event)?.evaluate(this.core.scopeOf(token)));
    } catch (error) {
      this.core.fail(token, error);
      return false;
    }
  }

  /** The activity of `token` completed: the conditions waiting around it are evaluated on its data. */
  changed(token: Token): void {
    const core = this.core;
    let scope: ReturnType<Core["scopeOf"]> | undefined;
    for (const node of core.graph.conditionals) {
      for (const arm of core.triggers.waits.armsOn(node)) {
        if (!arm.live || this.fired.has(arm) || !encloses(arm.token.frame, token.frame)) continue;
        let holds: boolean;
        try {
          holds = Boolean(this.conditionOf(node)?.evaluate((scope ??= core.scopeOf(token))));
        } catch (error) {
          this.failed(arm, error);
          continue;
        }
        if (!holds) continue;
        this.fired.add(arm);
        core.triggers.triggered(arm, undefined);
      }
    }
  }

  /* a condition that throws fails the token waiting on it; an event sub-process's has no token of its own: the run fails */
  private failed(arm: Arm, error: unknown): void {
    if (arm.token.state !== TokenState.Watching) this.core.fail(arm.token, error);
    else this.core.failRun(new TaskError(arm.event.name, arm.event.id, error));
  }
}

function encloses(outer: Frame, inner: Frame): boolean {
  for (let frame: Frame | undefined = inner; frame !== undefined; frame = frame.parent) if (frame === outer) return true;
  return false;
}
