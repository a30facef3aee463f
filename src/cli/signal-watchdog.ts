import { closeSync } from "node:fs";
import { Worker } from "node:worker_threads";
import type { StopSignal } from "./signals.js";

/* How long the main thread may take to handle a stop signal before the watchdog takes it as blocked. */
const GRACE_MS = 250;
/* How long the main thread's exit may take to run from the interrupt before the process is killed. */
const EXIT_AFTER_MS = 500;
/* Where the watchdog finds the exit path (Symbol.for: the inspector evaluates an expression, which cannot hold a reference). */
const EXIT_FUNCTION = "adhesive.exitAtOnce";

export interface SignalWatchdog {
  /** The main thread handled a stop signal. */
  handled(): void;
  stop(): void;
}

/**
 * A stop signal is handled by process.on listeners, which run on the event
 * loop: while a task's synchronous code (a busy loop) blocks it, Ctrl-C did
 * nothing, and neither did the second one. No signal handler of the main
 * thread can run then, and the supervisor (another process) does not get
 * signals sent to this one, so a thread of this process listens to the
 * signals too (signal-watchdog-worker.mjs). When the main thread has not
 * handled one within GRACE_MS, the watchdog says that a task is busy; at a
 * later one it has the main thread run `exitAtOnce` (the second signal's
 * usual exit: commands killed, the signal's exit code) from an inspector
 * interrupt, which V8 serves between two steps of the busy code, or kills
 * the process when even that does not happen. The journal is the one of a
 * killed runner: the busy task is in flight, and `adhesive resume` runs it
 * again. Hand-written: no library hears signals off the main thread.
 */
export function startSignalWatchdog(exitAtOnce: (name: StopSignal) => void): SignalWatchdog {
  const state = new Int32Array(new SharedArrayBuffer(4));
  const key = Symbol.for(EXIT_FUNCTION);
  const global = globalThis as unknown as Record<symbol, unknown>;
  global[key] = (name: StopSignal) => {
    // the inspector session that asked for this makes node print "Waiting for the debugger to disconnect..." at the exit; nothing else is written after the last exit listener
    process.on("exit", () => {
      try {
        closeSync(2);
      } catch {
        // already closed
      }
    });
    exitAtOnce(name);
  };
  const worker = new Worker(new URL("./signal-watchdog-worker.mjs", import.meta.url), {
    workerData: { state: state.buffer, graceMs: GRACE_MS, exitAfterMs: EXIT_AFTER_MS, exitFunction: EXIT_FUNCTION },
    // the parent's --import hooks (tsx) are not needed and would slow the start
    execArgv: [],
  });
  worker.unref();
  // a watchdog that cannot run leaves the signals to the main thread, as before
  worker.on("error", () => undefined);
  return {
    handled: () => void Atomics.add(state, 0, 1),
    stop: () => {
      if (global[key] !== undefined) delete global[key];
      void worker.terminate();
    },
  };
}
