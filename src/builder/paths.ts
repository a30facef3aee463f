import { UsageError } from "../errors.js";
import type { TimerDefinition } from "../model/definition.js";

/** What a path of a gateway or boundary event does: it gets the builder and adds steps to it. */
export type PathBuilder<B> = (builder: B) => unknown;

/** One outgoing path of a gateway, as collected before any node is added. */
export interface GatewayPath<B> {
  /** the flow's condition; undefined on the default flow and on an event gateway's paths */
  condition?: string;
  /** the flow's label in the modeler */
  label?: string;
  isDefault: boolean;
  /** event-based gateways: the event the path waits for */
  event?: { message: string } | { timer: TimerDefinition };
  then: PathBuilder<B> | undefined;
}

/**
 * The paths of `exclusive()` and `inclusive()`: `when(condition, then)` for
 * each conditional path, `otherwise(then)` for the default one. Without
 * `otherwise()`, a token that matches no condition goes straight on to the
 * step after the gateway, as an `if` without `else` does.
 */
export class GatewayPaths<B> {
  /** the paths given so far, in order */
  readonly paths: Array<GatewayPath<B>> = [];
  private readonly call: string;

  constructor(call: string) {
    this.call = call;
  }

  /**
   * A path taken when `condition` holds (a JavaScript expression over the
   * data, `=...` for FEEL, as in a file's conditionExpression). The flow is
   * labelled with `label`, or with the condition itself, so it shows in the
   * modeler.
   */
  when(condition: string, then?: PathBuilder<B>, label?: string): this {
    checkText(`${this.call}.when()`, "condition", condition);
    if (label !== undefined) checkText(`${this.call}.when("${condition}")`, "label", label);
    this.paths.push({ condition, label: label ?? condition, isDefault: false, then });
    return this;
  }

  /** The default path: taken when no `when()` condition holds. */
  otherwise(then?: PathBuilder<B>, label?: string): this {
    if (this.paths.some((path) => path.isDefault)) throw new UsageError(`${this.call}: otherwise() given twice; a gateway has one default path`);
    if (label !== undefined) checkText(`${this.call}.otherwise()`, "label", label);
    this.paths.push({ label, isDefault: true, then });
    return this;
  }
}

/**
 * The paths of `eventBased()`: each waits for its event; the first event
 * that happens takes the token and the other paths are withdrawn.
 */
export class EventPaths<B> {
  /** the paths given so far, in order */
  readonly paths: Array<GatewayPath<B>> = [];
  private readonly call: string;

  constructor(call: string) {
    this.call = call;
  }

  /** A path that starts when the message named `message` arrives (a `message()` source of that name, or `adhesive send`). */
  message(message: string, then?: PathBuilder<B>): this {
    checkText(`${this.call}.message()`, "message name", message);
    this.paths.push({ isDefault: false, event: { message }, then });
    return this;
  }

  /** A path that starts when the timer fires: an ISO 8601 duration (`PT5M`), cycle (`R3/PT1H`) or date. */
  timer(timer: string, then?: PathBuilder<B>): this {
    this.paths.push({ isDefault: false, event: { timer: timerDefinition(`${this.call}.timer()`, timer) }, then });
    return this;
  }
}

/** An ISO 8601 duration (`PT5M`), repeating cycle (`R3/PT10S`) or cron expression, or a date (`2030-01-01T09:00:00Z`). */
export function timerDefinition(call: string, value: unknown): TimerDefinition {
  checkText(call, "timer", value);
  const text = (value as string).trim();
  if (/^P/i.test(text)) return { kind: "duration", value: text };
  if (/^R/i.test(text) || /\s/.test(text)) return { kind: "cycle", value: text };
  return { kind: "date", value: text };
}

export function checkText(call: string, what: string, value: unknown): void {
  if (typeof value !== "string" || value.trim() === "") throw new UsageError(`${call}: ${what} must be a non-empty string, got ${JSON.stringify(value)}`);
}
