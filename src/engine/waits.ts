import type { ExpressionScope } from "../model/expression.js";
import type { GraphNode } from "../model/graph.js";
import type { TimerSchedule } from "../model/timer.js";
import type { Clock } from "./clock.js";
import type { Token } from "./token.js";
import { MULTIPLE_KINDS } from "../model/kinds.js";

/**
 * One thing a token waits for: a timer or a message on `event` (a boundary
 * event of its activity, the catch event it stands on, or a catch event
 * after its event-based gateway).
 */
export interface Arm {
  /** arms are numbered in the order they are armed: the journal names a timer's arm by it */
  seq: number;
  token: Token;
  event: GraphNode;
  /** false once disarmed: a firing or message that was already on its way is ignored */
  live: boolean;
  /** timers: when it fires (a timer whose value is an expression: for the token's data when armed), firings so far, when it is due, its clock handle */
  schedule: TimerSchedule | undefined;
  fired: number;
  armedAt: number;
  due: number;
  handle: unknown;
}

/** What holds arms: a token, or the loop run of an activity that completes once (its boundaries are armed once, not per iteration). */
export interface Armed {
  arms: Arm[] | undefined;
}

/* A repeating timer that fires this late (the process was down, or busy) goes on from now, not from when it was due. */
const LATE_MS = 1000;

/** Called when an arm triggers; `payload` is the message event (undefined for timers). */
export type Trigger = (arm: Arm, payload: unknown) => void;

/** Called when a timer's value, an expression, fails on the token's data: nothing was armed. */
export type ArmFailed = (token: Token, event: GraphNode, error: unknown) => void;

/**
 * The timers and message subscriptions of live tokens. A token's arms hang
 * off the token itself, so leaving a node disarms in O(arms); messages find
 * their waiting tokens through a set per catching node.
 */
export class Waits {
  private readonly clock: Clock;
  /** the time of the input being applied: timers count from it */
  private readonly now: () => number;
  private readonly trigger: Trigger;
  private readonly failed: ArmFailed;
  /** per node index: when its timer fires (a timer without a value in the file gets one from the code) */
  private readonly schedules: ReadonlyArray<TimerSchedule | undefined>;
  /** what a timer's expression sees for a token */
  private readonly scopeOf: (token: Token) => ExpressionScope;
  /** told of every message, signal or condition subscription: what already happened may trigger it (event-parts.ts) */
  private readonly subscribedTo: (arm: Arm) => void;
  private readonly byNode = new Map<GraphNode, Set<Arm>>();
  /** armed timers by arm number */
  private readonly timers = new Map<number, Arm>();
  private armed = 0;
  /** live message, signal and condition subscriptions */
  private subscribed = 0;
  /* bound once: timers carry their Arm as the argument instead of a closure each */
  private readonly onTimer = (arm: Arm): void => this.timerFired(arm);

  constructor(
    clock: Clock,
    now: () => number,
    trigger: Trigger,
    failed: ArmFailed,
    schedules: ReadonlyArray<TimerSchedule | undefined>,
    scopeOf: (token: Token) => ExpressionScope,
    subscribedTo: (arm: Arm) => void,
  ) {
    this.clock = clock;
    this.now = now;
    this.trigger = trigger;
    this.failed = failed;
    this.schedules = schedules;
    this.scopeOf = scopeOf;
    this.subscribedTo = subscribedTo;
  }

  /** How many arms were armed so far: the last arm number (checkpoint.ts). */
  get armCount(): number {
    return this.armed;
  }

  /** A run rebuilt from a checkpoint numbers its next arm after those it had armed. */
  restoreArmCount(armed: number): void {
    this.armed = armed;
  }

  /** How many timers are armed now. */
  get armedTimers(): number {
    return this.timers.size;
  }

  /** How many tokens wait for a message, signal or condition now. */
  get subscriptions(): number {
    return this.subscribed;
  }

  /** Whether `event` has a timer (else, or besides, a message, signal or condition a token subscribes to). */
  isTimer(event: GraphNode): boolean {
    return this.schedules[event.index] !== undefined;
  }

  /** The arms waiting on `event` now, in the order they were armed. */
  armsOn(event: GraphNode): Arm[] {
    const waiting = this.byNode.get(event);
    return waiting === undefined ? [] : [...waiting];
  }

  /**
   * Arms the timer, or subscribes to the message, signal or condition, of
   * `event` for `token`; `holder` keeps the arm (disarm). An event with
   * several definitions gets both: its timer, and one subscription that its
   * message, its signal and its condition each trigger. False when the
   * timer's value is an expression that failed: nothing is armed, `failed`
   * has heard it (the caller stops).
   */
  arm(token: Token, event: GraphNode, holder: Armed = token): boolean {
    const timed = this.schedules[event.index] !== undefined;
    if (timed && !this.armTimer(token, event, holder)) return false;
    if (!timed || MULTIPLE_KINDS.has(event.kind)) this.subscribe(token, event, holder);
    return true;
  }

  /** Arms the timer of `event` (a timer start event of the process: only its timer starts instances this way); false as `arm`. */
  armTimer(token: Token, event: GraphNode, holder: Armed = token): boolean {
    const timer = this.schedules[event.index]!;
    let schedule: TimerSchedule = timer;
    if (timer.resolve !== undefined) {
      try {
        schedule = timer.resolve(this.scopeOf(token));
      } catch (error) {
        this.failed(token, event, error);
        return false;
      }
    }
    const arm = this.newArm(token, event, schedule, holder);
    this.timers.set(arm.seq, arm);
    this.schedule(arm, arm.armedAt);
    return true;
  }

  private subscribe(token: Token, event: GraphNode, holder: Armed): void {
    const arm = this.newArm(token, event, undefined, holder);
    this.subscribers(event).add(arm);
    this.subscribed++;
    this.subscribedTo(arm);
  }

  private newArm(token: Token, event: GraphNode, schedule: TimerSchedule | undefined, holder: Armed): Arm {
    const arm: Arm = { seq: ++this.armed, token, event, live: true, schedule, fired: 0, armedAt: this.now(), due: 0, handle: undefined };
    (holder.arms ??= []).push(arm);
    return arm;
  }

  disarm(holder: Armed): void {
    const arms = holder.arms;
    if (arms === undefined) return;
    holder.arms = undefined;
    for (const arm of arms) {
      arm.live = false;
      if (arm.handle !== undefined) this.clock.clearTimer(arm.handle);
      arm.handle = undefined;
      this.timers.delete(arm.seq);
      if (this.byNode.get(arm.event)?.delete(arm) === true) this.subscribed--;
    }
  }

  /** A timer's firing is being applied: it counts (the next one, if any, is due after it). */
  fired(arm: Arm): void {
    arm.fired++;
    if (arm.handle !== undefined) this.clock.clearTimer(arm.handle);
    arm.handle = undefined;
  }

  /** The armed timer with this number (a journaled firing being replayed). */
  timer(seq: number): Arm | undefined {
    return this.timers.get(seq);
  }

  /** Whether a repeating timer has another firing; if so it is armed again. */
  rearm(arm: Arm): boolean {
    const now = this.now();
    const scheduled = this.schedule(arm, now - arm.due > LATE_MS ? now : arm.due);
    if (!scheduled) this.timers.delete(arm.seq);
    return scheduled;
  }

  /** Hands a message to every token waiting for it on `event`; returns how many took it. */
  deliver(event: GraphNode, payload: unknown): number {
    const waiting = this.byNode.get(event);
    if (waiting === undefined || waiting.size === 0) return 0;
    const arms = [...waiting];
    for (const arm of arms) this.trigger(arm, payload);
    return arms.length;
  }

  /** The arms waiting for a message on `event` now (an inbox message may go to some of them). */
  waiting(event: GraphNode): Arm[] {
    const waiting = this.byNode.get(event);
    return waiting === undefined ? [] : [...waiting];
  }

  private schedule(arm: Arm, previous: number): boolean {
    const due = arm.schedule!.next(arm.armedAt, previous, arm.fired);
    arm.handle = undefined;
    if (due === undefined) return false;
    arm.due = due;
    arm.handle = this.clock.setTimer(due - this.clock.now(), this.onTimer, arm);
    return true;
  }

  private timerFired(arm: Arm): void {
    if (arm.handle === undefined || !arm.live) return;
    // a wait longer than setTimeout allows fires early and sets itself again
    const left = arm.due - this.clock.now();
    if (left > 0) {
      arm.handle = this.clock.setTimer(left, this.onTimer, arm);
      return;
    }
    arm.handle = undefined;
    this.trigger(arm, undefined);
  }

  private subscribers(event: GraphNode): Set<Arm> {
    let set = this.byNode.get(event);
    if (set === undefined) this.byNode.set(event, (set = new Set()));
    return set;
  }
}
