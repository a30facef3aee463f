import { Cron } from "croner";
import { parse as parseDuration, toSeconds } from "iso8601-duration";
import type { TimerDefinition } from "./definition.js";

/**
 * When a timer fires, compiled once from its BPMN value: an ISO 8601
 * duration (`PT1M`), a repeating cycle (`R3/PT10S`, `R/PT1S`,
 * `R2/2026-01-01T00:00:00Z/P1D`), a cron expression (as a cycle), or a date.
 */
export interface TimerSchedule {
  readonly text: string;
  /** epoch ms of the next firing after `fired` firings, counting from `armedAt`; undefined when done */
  next(armedAt: number, previous: number, fired: number): number | undefined;
}

export class TimerValueError extends Error {}

export function compileTimer(timer: TimerDefinition): TimerSchedule {
  const text = timer.value.trim();
  switch (timer.kind) {
    case "duration":
      return once(text, durationMs(text));
    case "date":
      return atDate(text);
    case "cycle":
      return text.startsWith("R") ? repeating(text) : cron(text);
  }
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

function cron(text: string): TimerSchedule {
  let pattern: Cron;
  try {
    pattern = new Cron(text, { paused: true });
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
    seconds = toSeconds(parseDuration(text));
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
