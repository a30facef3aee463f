import { TaskError } from "../errors.js";
import type { GraphNode } from "../model/graph.js";
import type { Core } from "./core.js";
import { writable } from "./data.js";
import { boundaryFired } from "./elements/events/boundaries/boundary.js";
import { systemClock } from "./clock.js";
import { TokenState, type Token } from "./token.js";
import { InputKind } from "./inputs.js";
import { Waits, type Arm } from "./waits.js";
import { OutsideMessage } from "./outside-message.js";
import { setMessage } from "./messages.js";

/**
 * Timers and messages for tokens: boundary events on the activity a token
 * runs, the catch event it stands on, the events after its event-based
 * gateway, the start events of event sub-processes. What a boundary does
 * when it fires is in elements/events/boundaries/.
 */
export class Triggers {
  readonly waits: Waits;
  private readonly core: Core;

  constructor(core: Core) {
    this.core = core;
    const schedules = core.graph.nodes.map((node) => core.options.runner.schedule?.(node) ?? node.schedule);
    this.waits = new Waits(
      core.options.clock ?? systemClock,
      () => core.now(),
      (arm, payload) => core.input(InputKind.Triggered, arm, 0, payload),
      (token, event, error) => this.armFailed(token, event, error),
      schedules,
      (token) => core.scopeOf(token),
      (arm) => core.events.subscribed(arm),
    );
  }

  /*
   * A timer whose value is an expression that fails on the data is an error
   * of the element that armed it, as Camunda raises an incident there: the
   * catch event, the event-based gateway, or the activity of a timer
   * boundary (its catch-all error boundaries catch it, as any failure of
   * the activity). A timer start event of an event sub-process fails the
   * sub-process that holds it; one of the process, the run.
   */
  private armFailed(token: Token, event: GraphNode, error: unknown): void {
    const core = this.core;
    if (token.state !== TokenState.Watching) core.fail(token, error);
    else if (token.frame.owner !== undefined) core.fail(token.frame.owner, error);
    else core.failRun(new TaskError(event.name, event.id, error, undefined, [], token.frame.instance));
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
    const message = arm.schedule === undefined;
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
    } else {
      boundaryFired(core, arm, key, payload, message);
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
      setMessage(token.ref.data, payload);
    }
    token.state = TokenState.Completed;
    this.core.enqueue(token);
  }
}
