import type { GraphNode } from "../model/graph.js";
import type { Clock } from "./clock.js";
import type { Token } from "./token.js";

/**
 * One thing a token waits for: a timer or a message on `event` (a boundary
 * event of its activity, the catch event it stands on, or a catch event
 * after its event-based gateway).
 */
export interface Arm {
  token: Token;
  event: GraphNode;
  /** timers: firings so far, when it is due, its clock handle */
  fired: number;
  armedAt: number;
  due: number;
  handle: unknown;
}

/** Called when an arm triggers; `payload` is the message event (undefined for timers). */
export type Trigger = (arm: Arm, payload: unknown) => void;

/**
 * The timers and message subscriptions of live tokens. A token's arms hang
 * off the token itself, so leaving a node disarms in O(arms); messages find
 * their waiting tokens through a set per catching node.
 */
export class Waits {
  private readonly clock: Clock;
  private readonly trigger: Trigger;
  private readonly byNode = new Map<GraphNode, Set<Arm>>();
  /* bound once: timers carry their Arm as the argument instead of a closure each */
  private readonly onTimer = (arm: Arm): void => this.timerFired(arm);

  constructor(clock: Clock, trigger: Trigger) {
    this.clock = clock;
    this.trigger = trigger;
  }

  /** Arms the timer or subscribes to the message of `event` for `token`. */
  arm(token: Token, event: GraphNode): void {
    const arm: Arm = { token, event, fired: 0, armedAt: this.clock.now(), due: 0, handle: undefined };
    (token.arms ??= []).push(arm);
    if (event.schedule !== undefined) this.schedule(arm, arm.armedAt);
    else this.subscribers(event).add(arm);
  }

  disarm(token: Token): void {
    const arms = token.arms;
    if (arms === undefined) return;
    token.arms = undefined;
    for (const arm of arms) {
      if (arm.handle !== undefined) this.clock.clearTimer(arm.handle);
      arm.handle = undefined;
      this.byNode.get(arm.event)?.delete(arm);
    }
  }

  /** Whether a repeating timer has another firing; if so it is armed again. */
  rearm(arm: Arm): boolean {
    return this.schedule(arm, arm.due);
  }

  /** Hands a message to every token waiting for it on `event` (that `accepts` takes, if given); returns how many took it. */
  deliver(event: GraphNode, payload: unknown, accepts?: (token: Token) => boolean): number {
    const waiting = this.byNode.get(event);
    if (waiting === undefined || waiting.size === 0) return 0;
    // chosen before any takes it: a correlation expression that throws delivers to nobody
    const arms = accepts === undefined ? [...waiting] : [...waiting].filter((arm) => accepts(arm.token));
    for (const arm of arms) this.trigger(arm, payload);
    return arms.length;
  }

  private schedule(arm: Arm, previous: number): boolean {
    const due = arm.event.schedule!.next(arm.armedAt, previous, arm.fired);
    arm.handle = undefined;
    if (due === undefined) return false;
    arm.due = due;
    arm.handle = this.clock.setTimer(due - this.clock.now(), this.onTimer, arm);
    return true;
  }

  private timerFired(arm: Arm): void {
    if (arm.handle === undefined) return;
    // a wait longer than setTimeout allows fires early and sets itself again
    const left = arm.due - this.clock.now();
    if (left > 0) {
      arm.handle = this.clock.setTimer(left, this.onTimer, arm);
      return;
    }
    arm.fired++;
    arm.handle = undefined;
    this.trigger(arm, undefined);
  }

  private subscribers(event: GraphNode): Set<Arm> {
    let set = this.byNode.get(event);
    if (set === undefined) this.byNode.set(event, (set = new Set()));
    return set;
  }
}
