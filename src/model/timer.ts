import { createRequire } from "node:module";
import type { Cron } from "croner";
import { ExpressionError, describe } from "../errors.js";
import type { TimerDefinition, TimerKind } from "./definition.js";
import { compileExpression, type CompiledExpression, type ExpressionScope } from "./expression.js";
import { compileFeel } from "./feel.js";
import { javaScriptSyntaxError, juelBody, juelToJavaScript } from "./juel.js";

/* croner and iso8601-duration are required by the first timer: most processes have none */
const require = createRequire(import.meta.url);
const croner = (): typeof import("croner") => require("croner") as typeof import("croner");
const durations = (): typeof import("iso8601-duration") => require("iso8601-duration") as typeof import("iso8601-duration");

/**
 * When a timer fires, compiled once from its BPMN value: an ISO 8601
 * duration (`PT1M`), a repeating cycle (`R3/PT10S`, `R/PT1S`,
 * `R2/2026-01-01T00:00:00Z/P1D`), a cron expression (as a cycle), or a date.
 * A value that is an expression (Camunda 7 `${...}`, FEEL `=...`, or
 * JavaScript) is evaluated on the token's data each time the timer is
 * armed (resolve), as Camunda evaluates it when it creates the timer.
 */
export interface TimerSchedule {
  readonly text: string;
  /** epoch ms of the next firing after `fired` firings, counting from `armedAt`; undefined when done */
  next(armedAt: number, previous: number, fired: number): number | undefined;
  /** a timer whose value is an expression: the schedule its value gives on this data (throws an ExpressionError naming the element) */
  resolve?(scope: ExpressionScope): TimerSchedule;
}

export class TimerValueError extends Error {}

export function compileTimer(timer: TimerDefinition, elementId = ""): TimerSchedule {
  const text = timer.value.trim();
  const expression = timerExpression(timer.kind, text, elementId);
  return expression === undefined ? literal(timer.kind, text) : new ExpressionTimer(timer.kind, text, expression);
}

function literal(kind: TimerKind, text: string): TimerSchedule {
  switch (kind) {
    case "duration":
      return once(text, durationMs(text));
    case "date":
      return atDate(text);
    case "cycle":
      return text.startsWith("R") ? repeating(text) : cron(text);
  }
}

/*
 * `=...` is FEEL and `${...}` Camunda 7's JUEL (juel.ts); other text is
 * JavaScript only when it is no timer value and looks like code (a call,
 * a property, an operator, a string), so a typo such as `PT5X` or `soon`
 * stays a load-time error about the value rather than a ReferenceError.
 */
function timerExpression(kind: TimerKind, text: string, elementId: string): CompiledExpression | undefined {
  if (text.startsWith("=")) return compileFeel(text, elementId);
  const juel = juelBody(text);
  if (juel !== undefined) {
    const translated = juelToJavaScript(juel);
    if ("error" in translated) throw new TimerValueError(`\`${text}\` ${translated.error}`);
    return compileExpression(translated.js, elementId);
  }
  try {
    literal(kind, text);
    return undefined;
  } catch (error) {
    if (!/[.()+`'"[?]/.test(text) || javaScriptSyntaxError(text) !== undefined) throw error;
    return compileExpression(text, elementId);
  }
}

class ExpressionTimer implements TimerSchedule {
  readonly text: string;
  private readonly kind: TimerKind;
  private readonly expression: CompiledExpression;

  constructor(kind: TimerKind, text: string, expression: CompiledExpression) {
    this.kind = kind;
    this.text = text;
    this.expression = expression;
  }

  next(): number | undefined {
    throw new Error(`timer \`${this.text}\` on ${this.expression.elementId} was armed without its value: resolve it on the token's data first`);
  }

  resolve(scope: ExpressionScope): TimerSchedule {
    const value = this.expression.evaluate(scope);
    const text = valueText(this.kind, value);
    try {
      return literal(this.kind, text);
    } catch (error) {
      throw new ExpressionError(this.text, this.expression.elementId, `its value ${JSON.stringify(text)} is no timer ${this.kind}: ${describe(error)}`);
    }
  }
}

/* what an expression gave, as the text of a timer value: numbers are milliseconds (a duration) or epoch milliseconds (a date) */
function valueText(kind: TimerKind, value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "number") return kind === "date" ? new Date(value).toISOString() : `PT${value / 1000}S`;
  return typeof value === "string" ? value.trim() : String(value);
}

function once(text: string, delay: number): TimerSchedule {
  return { text, next: (armedAt, _previous, fired) => (fired === 0 ? armedAt + delay : undefined) };
}

function atDate(text: string): TimerSchedule {
  const at = parseDate(text);
  return { text, next: (_armedAt, _previous, fired) => (fired === 0 ? at : undefined) };
}

/** `R[n]/[start/]duration`: n firings (forever without n), `duration` apart, the first one a duration after arming or at `start`. */
function repeating(text: string): TimerSchedule {
  const parts = text.split("/");
  const count = parts[0].slice(1);
  if (count !== "" && !/^\d+$/.test(count)) throw new TimerValueError(`"${text}": the repetition count after R must be a whole number`);
  const times = count === "" ? Infinity : Number(count);
  if (parts.length === 2) {
    const period = durationMs(parts[1]);
    return {
      text,
      next: (armedAt, previous, fired) => (fired >= times ? undefined : (fired === 0 ? armedAt : previous) + period),
    };
  }
  if (parts.length === 3) {
    const start = parseDate(parts[1]);
    const period = durationMs(parts[2]);
    return { text, next: (_armedAt, previous, fired) => (fired >= times ? undefined : fired === 0 ? start : previous + period) };
  }
  throw new TimerValueError(`"${text}" is not a repeating interval: write R3/PT10S, R/PT1M or R2/<start date>/P1D`);
}

/*
 * croner, a maintained cron library adhesive already uses, reads both cron
 * dialects process files hold: Zeebe's (Spring style, seconds first,
 * Sunday 0) and Camunda 7's Quartz (seconds first, `?` for the day field
 * that does not matter, Sunday 1, an optional year, steps such as `0/5`).
 * A `?` or a seventh field says Quartz, whose weekdays croner numbers as
 * Quartz does on request; steps from a number are accepted in both.
 */
function cron(text: string): TimerSchedule {
  const quartz = text.includes("?") || text.split(/\s+/).length === 7;
  let pattern: Cron;
  try {
    pattern = new (croner().Cron)(text, { paused: true, sloppyRanges: true, alternativeWeekdays: quartz });
  } catch (error) {
    throw new TimerValueError(`"${text}" is neither a repeating interval (R3/PT10S) nor a cron expression: ${(error as Error).message}`);
  }
  return {
    text,
    next: (armedAt, previous, fired) => pattern.nextRun(new Date(fired === 0 ? armedAt : previous))?.getTime() ?? undefined,
  };
}

function durationMs(text: string): number {
  let seconds: number;
  try {
    const { parse, toSeconds } = durations();
    seconds = toSeconds(parse(text));
  } catch {
    throw new TimerValueError(`"${text}" is not an ISO 8601 duration such as PT30S, PT5M or P1DT2H`);
  }
  if (!Number.isFinite(seconds) || seconds < 0) throw new TimerValueError(`"${text}" is not a usable duration`);
  return Math.round(seconds * 1000);
}

function parseDate(text: string): number {
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new TimerValueError(`"${text}" is not an ISO 8601 date such as 2026-12-24T18:00:00Z`);
  return at;
}
