import { UsageError } from "../errors.js";
import type { StepOptions } from "./linear.js";
import { checkText } from "./paths.js";

/** Options of `processStart()`. */
export interface ProcessOptions {
  /** the process's id in the exported file (default "process") */
  id?: string;
  /** the process's name, shown as the pool's name in a modeler */
  name?: string;
  /** starts an instance per event of the `message()` source of this name (a message start event) */
  message?: string;
  /** starts the process when the timer fires (a timer start event): `PT5M`, `R/PT1H`, a cron expression or a date */
  timer?: string;
}

/** Options of `subProcessStart()`: the step options and the name shown on the sub-process. */
export interface SubProcessOptions extends StepOptions {
  /** the name shown on the sub-process in a modeler */
  name?: string;
}

/** Options of `callActivity()`: the step options and the name shown on it (default: the called process's name). */
export interface CallOptions extends StepOptions {
  /** the name shown on the call activity (default: the called process's name) */
  name?: string;
}

/** Options of `onTimer()` and `onMessage()`. */
export interface BoundaryOptions {
  /** false: the task goes on while the boundary's path runs (a non-interrupting boundary); default true */
  interrupting?: boolean;
}

export function interrupting(call: string, options: BoundaryOptions): boolean {
  const value = options?.interrupting ?? true;
  if (typeof value !== "boolean") throw new UsageError(`${call}: interrupting must be true or false`);
  return value;
}

export function checkProcessOptions(options: unknown): ProcessOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== "object" || Array.isArray(options)) throw new UsageError("processStart(): options must be an object like { id, name, message, timer }");
  const { id, name, message, timer, ...unknown } = options as Record<string, unknown>;
  const extra = Object.keys(unknown);
  if (extra.length > 0) throw new UsageError(`processStart(): unknown option${extra.length > 1 ? "s" : ""} ${extra.join(", ")} (known: id, name, message, timer)`);
  for (const [option, value] of Object.entries({ id, name, message, timer })) if (value !== undefined) checkText("processStart()", option, value);
  if (id !== undefined && !/^[A-Za-z_][\w.-]*$/.test(id as string)) throw new UsageError(`processStart(): id ${JSON.stringify(id)} is not a valid XML id (a letter or _, then letters, digits, _, - or .)`);
  if (message !== undefined && timer !== undefined) throw new UsageError("processStart(): a process starts by message or by timer, not both");
  return options as ProcessOptions;
}
