import { TaskError } from "../errors.js";
import type { CompiledExpression } from "../model/expression.js";
import type { GraphNode } from "../model/graph.js";
import type { Core } from "./core.js";
import type { Frame } from "./frame.js";
import { TokenState, type Token } from "./token.js";
import type { Arm } from "./waits.js";

/**
 * Conditional events. A conditional catch event lets its token pass at once
 * when its condition holds on the token's data, else the token waits. A
 * conditional boundary event, or the conditional start event of an event
 * sub-process, whose condition already holds when its activity or scope
 * starts fires in that step (BPMN §10.5.4: it triggers when the condition
 * becomes true; Camunda evaluates it when the scope is activated), on the
 * data the activity or scope started with. Each time an activity completes
 * (its data may have changed), the conditional catch, boundary and event
 * sub-process start events waiting in its scope instance or any instance
 * around it are evaluated on that activity's data; one fires the first time
 * its condition holds, once per scope instance (each token has its own
 * data, so a condition that held on one branch's data may not on another's:
 * it does not fire again on every change).
 */
export class Conditions {
  private readonly core: Core;
  /** arms whose condition has held: they do not fire again */
  private readonly fired = new WeakSet<Arm>();
  /** boundary and event sub-process start arms armed in this step, evaluated when it is over */
  private readonly armedNow: Arm[] = [];

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

  /**
   * A conditional boundary or event sub-process start event was armed. It is
   * evaluated once the step is over: firing now would interrupt an activity
   * in the middle of its start (its function is not called before then).
   * Catch events were evaluated as their token arrived (holdsOnArrival).
   */
  armed(arm: Arm): void {
    if (arm.event.attachedTo !== undefined || arm.token.state === TokenState.Watching) this.armedNow.push(arm);
  }

  /**
   * The step is over: the boundaries and event sub-processes armed in it
   * whose condition holds fire. A condition that throws does not hold yet:
   * it may read what an activity inside sets (`risk === "high"` before any
   * `risk`), and it fails the token when it throws once that activity ends.
   * True when one fired.
   */
  checkArmed(): boolean {
    if (this.armedNow.length === 0) return false;
    const core = this.core;
    let happened = false;
    for (const arm of this.armedNow.splice(0)) {
      if (!arm.live || core.finished || this.fired.has(arm) || !this.holdsQuietly(arm)) continue;
      this.fired.add(arm);
      core.triggers.triggered(arm, undefined);
      happened = true;
    }
    return happened;
  }

  private holdsQuietly(arm: Arm): boolean {
    try {
      return Boolean(this.conditionOf(arm.event)?.evaluate(this.core.scopeOf(arm.token)));
    } catch {
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
    else this.core.failRun(new TaskError(arm.event.name, arm.event.id, error, undefined, [], arm.token.frame.instance));
  }
}

function encloses(outer: Frame, inner: Frame): boolean {
  for (let frame: Frame | undefined = inner; frame !== undefined; frame = frame.parent) if (frame === outer) return true;
  return false;
}
