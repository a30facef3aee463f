import { InterruptedError } from "../errors.js";
import { killAllCommandsNow } from "../processes/groups.js";
import { exitProcess } from "../runtime/process-exit.js";
import type { Output } from "./reporter.js";
import { startSignalWatchdog } from "./signal-watchdog.js";

/** 128 + the signal's number, what shells report for a process a signal ended. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

const STOP_SIGNALS = Object.keys(SIGNAL_EXIT_CODES) as StopSignal[];

export interface Interrupts {
  /** aborted (with a CancelledError) by the first stop signal */
  readonly signal: AbortSignal;
  /** the exit code of the first stop signal received, if any */
  exitCode(): number | undefined;
  /** stops listening */
  dispose(): void;
}

/**
 * SIGINT (Ctrl-C), SIGTERM (systemd, docker stop, kill) and SIGHUP (the
 * terminal closed) all mean "stop": the first one cancels the runs (their
 * commands are killed, lanes torn down, secrets removed; the runs settle
 * only once that is done) and the CLI then exits with 128 + the signal's
 * number. A second one exits at once, killing every command still running
 * first, so none outlives the CLI. While a task's synchronous code blocks the
 * event loop, a watchdog thread does both (signal-watchdog.ts): it says
 * that a task is busy, and exits at the next signal.
 */
export function listenForInterrupts(err: Output, streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): Interrupts {
  const controller = new AbortController();
  let first: StopSignal | undefined;
  const exitAtOnce = (name: StopSignal): never => {
    killAllCommandsNow();
    exitProcess(SIGNAL_EXIT_CODES[name]);
  };
  const watchdog = startSignalWatchdog(exitAtOnce);
  const onSignal = (name: StopSignal): void => {
    watchdog.handled();
    // after a hang-up the terminal is gone: writing to it fails (EIO), which must not crash the cleanup
    if (name === "SIGHUP") for (const stream of streams) stream.on("error", () => undefined);
    if (first !== undefined) exitAtOnce(name);
    first = name;
    const again = name === "SIGINT" ? "press Ctrl-C again" : `send ${name} again`;
    err.write(`\n${name}: cancelling the running tasks (${again} to exit at once)\n`);
    controller.abort(new InterruptedError(name));
  };
  const listeners = STOP_SIGNALS.map((name) => [name, () => onSignal(name)] as const);
  for (const [name, listener] of listeners) process.on(name, listener);
  return {
    signal: controller.signal,
    exitCode: () => (first === undefined ? undefined : SIGNAL_EXIT_CODES[first]),
    dispose: () => {
      for (const [name, listener] of listeners) process.off(name, listener);
      watchdog.stop();
    },
  };
}
