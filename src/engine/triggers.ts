import type { GraphNode } from "../model/graph.js";
import type { Core } from "./core.js";
import { setKey, share, writable } from "./data.js";
import { systemClock } from "./clock.js";
import { TokenState, type Token } from "./token.js";
import { InputKind } from "./inbox.js";
import { Waits, type Arm } from "./waits.js";
import { OutsideMessage } from "./outside-message.js";

/**
 * Timers and messages for tokens: boundary events on the activity a token
 * runs, the catch event it stands on, the events after its event-based
 * gateway. Interrupting boundaries cancel the activity; others fork a token
 * per firing. A token leaves through a boundary with the data its activity
 * started with.
 */
export class Triggers {
  readonly waits: Waits;
  private readonly core: Core;

  constructor(core: Core) {
    this.core = core;
    const schedules = core.graph.nodes.map((node) => core.options.runner.schedule?.(node) ?? node.schedule);
    this.waits = new Waits(core.options.clock ?? systemClock, () => core.now(), (arm, payload) => core.input(InputKind.Triggered, arm, 0, payload), schedules);
  }

  /** The token starts its activity: its timer, message, signal and conditional boundary events are armed. */
  armBoundaries(token: Token): void {
    const node = token.node;
    if (node.boundaries.length === 0) return;
    for (const boundary of node.timerBoundaries) this.waits.arm(token, boundary);
    for (const boundary of node.messageBoundaries) this.waits.arm(token, boundary);
    for (const boundary of node.watchedBoundaries) this.waits.arm(token, boundary);
  }

  /**
   * A token leaves `holder` through one of its boundary events, with the
   * data the activity started with (plus `key`: `_error` or `event`).
   */
  spawnFromBoundary(holder: Token, boundary: GraphNode, key: string | undefined, value: unknown): void {
    let ref = share(holder.ref);
    if (key !== undefined) {
      ref = writable(ref);
      setKey(ref.data, key, value);
    }
    const loop = holder.loop?.node === holder.node ? holder.loop.parent : holder.loop;
    this.core.spawn(boundary, holder.frame, ref, loop, -1);
  }

  /*
   * A message (applied as an input) goes to the tokens waiting on the node;
   * one from outside with a correlation (the inbox) to those whose data the
   * correlation accepts. A correlation that throws refuses the message: no
   * token takes it, the sender hears why, and the run goes on (a replay of
   * the journal refuses it the same way). Returns how many took it.
   */
  delivered(node: GraphNode, payload: unknown): number | Error {
    const core = this.core;
    const outside = payload instanceof OutsideMessage ? payload : undefined;
    const event = outside === undefined ? payload : outside.event;
    const correlation = outside?.correlation;
    core.journal?.delivered(node, event, core.now(), correlation?.text);
    if (correlation === undefined) return this.waits.deliver(node, event);
    let arms: Arm[];
    try {
      arms = this.waits.waiting(node).filter((arm) => Boolean(correlation.evaluate(core.scopeOf(arm.token))));
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
    for (const arm of arms) core.input(InputKind.Triggered, arm, 0, event);
    return arms.length;
  }

  /** A timer fired or a message arrived for one of the token's arms (applied as an input). */
  triggered(arm: Arm, payload: unknown): void {
    const core = this.core;
    if (core.finished || !arm.live) return;
    const { token, event } = arm;
    const message = !this.waits.isTimer(event);
    if (!message) {
      this.waits.fired(arm);
      core.journal?.timer(arm.seq, core.now());
    }
    // signals and conditions carry nothing; only messages set data.event
    const key = payload === undefined ? undefined : "event";
    if (token.state === TokenState.Watching) {
      core.events.scopes.triggered(arm, payload);
    } else if (token.state === TokenState.Catching && event.attachedTo === undefined) {
      this.caught(token, event, message, payload);
    } else if (event.interrupting) {
      this.spawnFromBoundary(token, event, key, payload);
      core.cancelToken(token);
    } else {
      this.spawnFromBoundary(token, event, key, payload);
      if (!message) this.waits.rearm(arm);
    }
  }

  /** The token's catch event (or, after an event-based gateway, the first of its events) happened: it moves on. */
  caught(token: Token, event: GraphNode, message: boolean, payload: unknown): void {
    this.waits.disarm(token);
    if (token.node !== event) {
      // the other events of the gateway are withdrawn; the token passes the one that happened
      const flow = token.node.outgoing.find((f) => f.target === event)!;
      this.core.options.tracker?.took?.(flow);
      this.core.relocate(token, event, flow.order);
    }
    if (message && payload !== undefined) {
      token.ref = writable(token.ref);
      setKey(token.ref.data, "event", payload);
    }
    token.state = TokenState.Completed;
    this.core.enqueue(token);
  }
}
