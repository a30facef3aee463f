// The thread of signal-watchdog.ts. Plain JavaScript (no adhesive code, no
// TypeScript hooks) so it starts in a few milliseconds. It hears the stop
// signals next to the main thread and acts only when the main thread did not
// handle one within the grace period, that is while JavaScript blocks it (a
// task in a busy loop): the first such signal is explained on stderr, a
// later one ends the process at once through the main thread's exit path,
// run from an inspector interrupt (which V8 serves even inside a busy loop);
// if that does not happen either (the main thread is stuck in a native call)
// the process is killed.
import { writeSync } from "node:fs";
import { constants } from "node:os";
import { workerData } from "node:worker_threads";

const { state, graceMs, exitAfterMs, exitFunction } = workerData;
const handled = new Int32Array(state);

// Node gives worker threads no signal events (process.on("SIGINT") is the
// main thread's), but libuv delivers a signal to every event loop with a
// handle for it: signal_wrap is that handle, the one process.on uses.
// Reaching it through process.binding is deprecated (DEP0111) and warns,
// hence the silenced warning; a Node without it leaves the watchdog idle,
// and signals are handled as before, once the main thread is free.
process.noDeprecation = true;
let Signal;
try {
  ({ Signal } = process.binding("signal_wrap"));
} catch {
  Signal = undefined;
}

// this thread's own counters (the file is the whole program of the watchdog thread)
let received = 0;
let base = 0;
if (Signal !== undefined) {
  for (const name of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    const handle = new Signal();
    handle.onsignal = () => heard(name);
    if (handle.start(constants.signals[name]) !== 0) handle.close();
  }
  // signals the main thread handled before this thread listened are not ours to count
  base = Atomics.load(handled, 0);
}

function heard(name) {
  const number = ++received;
  setTimeout(() => {
    if (Atomics.load(handled, 0) - base >= number) return;
    if (number === 1) busy(name);
    else exitAtOnce(name);
  }, graceMs);
}

function say(text) {
  try {
    // straight to the file descriptor: the main thread, which writes a worker's process.stderr, is blocked
    writeSync(2, text);
  } catch {
    // the terminal is gone (SIGHUP)
  }
}

function busy(name) {
  const again = name === "SIGINT" ? "press Ctrl-C again" : `send ${name} again`;
  say(`\n${name}: a task is busy running synchronous code, which holds up the runner: the tasks are cancelled once it returns (${again} to exit at once)\n`);
}

async function exitAtOnce(name) {
  say(`\n${name}: exiting at once while a task is busy\n`);
  setTimeout(() => process.kill(process.pid, "SIGKILL"), exitAfterMs);
  try {
    const { Session } = await import("node:inspector");
    const session = new Session();
    session.connectToMainThread();
    session.post("Runtime.evaluate", { expression: `globalThis[Symbol.for(${JSON.stringify(exitFunction)})]?.(${JSON.stringify(name)})` });
  } catch {
    // no inspector in this build of node: the kill above ends the process
  }
}
