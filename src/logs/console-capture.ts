import { AsyncLocalStorage } from "node:async_hooks";
import { format } from "node:util";
import type { OutputSink } from "../workspaces/workspace.js";

/*
 * Tasks run concurrently on one event loop, so "what did this task print"
 * can only be answered by the async context a console call happens in. The
 * console methods are replaced while at least one run captures, and send to
 * the current task's sink; outside a task they behave as before.
 */
const current = new AsyncLocalStorage<OutputSink>();
const METHODS = ["log", "info", "warn", "error", "debug", "trace"] as const;
type Method = (typeof METHODS)[number];
let captures = 0;
let originals: Record<Method, (...args: unknown[]) => void> | undefined;

/** Runs `fn(...args)` with console output going to `sink`. */
export function withOutput<A extends unknown[], R>(sink: OutputSink, fn: (...args: A) => R, ...args: A): R {
  return current.run(sink, fn, ...args);
}

/** Whether the caller runs inside a task (inside withOutput). */
export function insideTask(): boolean {
  return current.getStore() !== undefined;
}

/** Starts routing console calls made inside withOutput(); returns the function that stops it. */
export function captureConsole(): () => void {
  if (captures++ === 0) install();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--captures === 0) uninstall();
  };
}

function install(): void {
  originals = {} as Record<Method, (...args: unknown[]) => void>;
  for (const method of METHODS) {
    // kept unbound so uninstall() puts back the very same function
    const original = console[method] as (...args: unknown[]) => void;
    originals[method] = original;
    console[method] = (...args: unknown[]) => {
      const sink = current.getStore();
      if (sink === undefined) original.apply(console, args);
      else sink.write(`${format(...args)}\n`);
    };
  }
}

function uninstall(): void {
  if (originals === undefined) return;
  for (const method of METHODS) console[method] = originals[method];
  originals = undefined;
}
