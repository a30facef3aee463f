import { Compensation } from "./compensation.js";
import { completed } from "./completions.js";
import { Conditions } from "./conditions.js";
import type { Core } from "./core.js";
import { Decisions } from "./decisions.js";
import { Messages } from "./messages.js";
import { Raise } from "./raise.js";
import { ScopeEvents } from "./scope-events.js";
import { Signals } from "./signals.js";
import { Stall } from "./stall.js";
import type { Token } from "./token.js";
import type { Arm } from "./waits.js";
import { watchesData } from "../model/kinds.js";

/**
 * The parts of the token machine that the BPMN events need beyond tokens,
 * joins, tasks and timers: each in its own file, reached by element
 * behaviours through Core.events.
 */
export class EventParts {
  readonly messages: Messages;
  readonly signals: Signals;
  readonly scopes: ScopeEvents;
  readonly raise: Raise;
  readonly compensation: Compensation;
  readonly conditions: Conditions;
  readonly decisions: Decisions;
  readonly stall: Stall;
  private readonly core: Core;

  constructor(core: Core) {
    this.core = core;
    this.messages = new Messages(core);
    this.signals = new Signals(core);
    this.scopes = new ScopeEvents(core);
    this.raise = new Raise(core);
    this.compensation = new Compensation(core);
    this.conditions = new Conditions(core);
    this.decisions = new Decisions(core);
    this.stall = new Stall(core);
  }

  /** A token subscribed to a message, signal or condition: a signal thrown beside it in this step, or a condition that already holds, triggers it when the step is over. */
  subscribed(arm: Arm): void {
    if (arm.event.signalName !== undefined) this.signals.armed(arm);
    if (watchesData(arm.event)) this.conditions.armed(arm);
  }

  /** The token queue emptied: what was armed in the step and has already happened triggers now. True when something did. */
  stepOver(): boolean {
    const signalled = this.signals.deliverLate();
    const held = this.conditions.checkArmed();
    return signalled || held;
  }

  /** A token completed at a node with completion work: true when it must not be routed (see completions.ts). */
  completed(token: Token): boolean {
    return completed(this.core, token);
  }
}
