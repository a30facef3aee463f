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

  /** A token completed at a node with completion work: true when it must not be routed (see completions.ts). */
  completed(token: Token): boolean {
    return completed(this.core, token);
  }
}
