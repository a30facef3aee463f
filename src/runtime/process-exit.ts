import { ProcessExitError } from "../errors.js";
import { insideTask } from "../logs/console-capture.js";
import { insideExpression } from "../model/expression.js";
import { sharedPatch } from "../shared-patch.js";

/* the process.exit the guard replaced, while it is installed (process.exit is process-wide, so its saved original is too) */
let original: typeof process.exit | undefined;

/**
 * While a run is active, process.exit() called by a task (or a script or
 * expression) throws a ProcessExitError, which fails that task like any
 * other error, instead of ending the process with the run half done. Called
 * anywhere else it exits as usual. Returns the function that stops guarding.
 */
export const guardProcessExit = sharedPatch(install, uninstall);

function install(): void {
  const exit = process.exit;
  original = exit;
  process.exit = function guardedExit(code?: string | number | null): never {
    if (insideTask() || insideExpression()) throw new ProcessExitError(code);
    return exit.call(process, code);
  } as typeof process.exit;
}

function uninstall(): void {
  if (original !== undefined) process.exit = original;
  original = undefined;
}

/** Ends the process, even from inside a task's code (the watchdog's exit at a second Ctrl-C runs there, see signal-watchdog.ts). */
export function exitProcess(code: number): never {
  return (original ?? process.exit).call(process, code);
}
