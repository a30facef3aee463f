import { UsageError, describe } from "../errors.js";
import { compileExpression, type CompiledExpression } from "./expression.js";
import { compileTimer, type TimerSchedule } from "./timer.js";
import type { TimerKind } from "./definition.js";

/** What timer() accepts: ISO 8601 text (`PT5M`, `R3/PT10S`, a date), a cron expression, a Date, or milliseconds. */
export type TimerValue = string | number | Date;

/** The schedule of a timer() declaration; a value that cannot be read is a UsageError naming the declaration. */
export function timerSchedule(value: TimerValue, matcher: unknown): TimerSchedule {
  const [kind, text] = kindOf(value);
  try {
    return compileTimer({ kind, value: text });
  } catch (error) {
    throw new UsageError(`timer(${JSON.stringify(matcher)}, ${JSON.stringify(value)}): ${(error as Error).message}`);
  }
}

function kindOf(value: TimerValue): [TimerKind, string] {
  if (value instanceof Date) return ["date", value.toISOString()];
  if (typeof value === "number") return ["duration", `PT${value / 1000}S`];
  const text = value.trim();
  if (/^P/i.test(text)) return ["duration", text];
  // R3/PT10S, or a cron expression (fields separated by spaces)
  if (/^R/i.test(text) || /\s/.test(text)) return ["cycle", text];
  return ["date", text];
}

/** The expression of a condition() declaration, compiled once; a syntax error is a UsageError naming the declaration. */
export function conditionExpression(text: string, matcher: unknown): CompiledExpression {
  try {
    return compileExpression(text, `condition(${JSON.stringify(matcher)})`);
  } catch (error) {
    throw new UsageError(`condition(${JSON.stringify(matcher)}, ${JSON.stringify(text)}): ${describe(error)}`);
  }
}
