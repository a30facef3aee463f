import { AsyncLocalStorage } from "node:async_hooks";
import { format } from "node:util";
import type { OutputSink } from "../workspaces/workspace.js";
import { sharedPatch } from "../shared-patch.js";

/*
 * Tasks run concurrently on one event loop, so "what did this task print"
 * can only be answered by the async context a console call or a
 * process.stdout/stderr write happens in. The console methods and the two
 * streams' write() are replaced while at least one run captures, and send
 * to the current task's sink; outside a task they behave as before.
 */
const current = new AsyncLocalStorage<OutputSink>();
/*
 * The sink of the task whose function is being called synchronously. An
 * entered AsyncLocalStorage turns on async_hooks' promise hooks for every
 * promise in the process until it is disabled (Node 20), which cost the
 * seed workload 11% of its time, though its functions never await. A
 * function known to return synchronously is called with this variable set
 * instead; the storage is entered only for the others, and disabled again
 * once no asynchronous task is in flight.
 */
let direct: OutputSink | undefined;
/* task functions whose promise has not settled yet, in every run of this thread */
let pending = 0;
/* whether the storage may be on (withOutput entered it since it was last disabled): a synchronous task's return then costs no call to disable() */
let entered = false;
const METHODS = ["log", "info", "warn", "error", "debug", "trace"] as const;
type Method = (typeof METHODS)[number];
type Write = NodeJS.WriteStream["write"];
let originals: Record<Method, (...args: unknown[]) => void> | undefined;
let originalWrites: Array<{ stream: NodeJS.WriteStream; write: Write; replacement: Write }> | undefined;

/** Runs `fn(...args)` with console output going to `sink`, also after it awaits. */
export function withOutput<A extends unknown[], R>(sink: OutputSink, fn: (...args: A) => R, ...args: A): R {
  entered = true;
  return current.run(sink, fn, ...args);
}

/**
 * Runs `fn(a, b)` with console output going to `sink` until it returns: for
 * a function that returned synchronously before. What it prints from
 * callbacks it leaves behind (timers, promises it does not return) goes
 * where the caller's output goes.
 */
export function withOutputUntilReturn<A, B, R>(sink: OutputSink, fn: (a: A, b: B) => R, a: A, b: B): R {
  const outer = direct;
  direct = sink;
  try {
    return fn(a, b);
  } finally {
    direct = outer;
  }
}

/** withOutputUntilReturn for a function of one argument: it is called with that one alone. */
export function callUntilReturn<A, R>(sink: OutputSink, fn: (a: A) => R, a: A): R {
  const outer = direct;
  direct = sink;
  try {
    return fn(a);
  } finally {
    direct = outer;
  }
}

/**
 * A task function called through either of the above returned: a promise
 * (`async`) keeps the async context on until taskSettled() hears of it; once
 * none is in flight, the promise hooks go off.
 */
export function taskReturned(async: boolean): void {
  if (async) pending++;
  else if (pending === 0 && entered) disable();
}

/** A promise counted by taskReturned() settled. */
export function taskSettled(): void {
  if (--pending === 0) disable();
}

function disable(): void {
  entered = false;
  current.disable();
}

/** Runs `fn` as if outside every task: what it prints goes to the terminal (live output, prompts). */
export function outsideTasks<R>(fn: () => R): R {
  const outer = direct;
  direct = undefined;
  try {
    return current.exit(fn);
  } finally {
    direct = outer;
  }
}

/** Whether the caller runs inside a task (inside withOutput). */
export function insideTask(): boolean {
  return sinkOfCaller() !== undefined;
}

function sinkOfCaller(): OutputSink | undefined {
  return direct ?? current.getStore();
}

/** Starts routing console calls made inside withOutput(); returns the function that stops it. */
export const captureConsole = sharedPatch(install, uninstall);

function install(): void {
  originals = {} as Record<Method, (...args: unknown[]) => void>;
  for (const method of METHODS) {
    // kept unbound so uninstall() puts back the very same function
    const original = console[method] as (...args: unknown[]) => void;
    originals[method] = original;
    console[method] = (...args: unknown[]) => {
      const sink = sinkOfCaller();
      if (sink === undefined) original.apply(console, args);
      else sink.write(`${format(...args)}\n`);
    };
  }
  originalWrites = [process.stdout, process.stderr].map((stream) => {
    const write = stream.write;
    const replacement = capturedWrite(stream, write);
    stream.write = replacement;
    return { stream, write, replacement };
  });
}

/* write(chunk, encoding?, callback?) as a stream has it: the chunk goes to the task's log, the callback is still called */
function capturedWrite(stream: NodeJS.WriteStream, original: Write): Write {
  return function (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
    const sink = sinkOfCaller();
    if (sink === undefined) return (original as (...args: unknown[]) => boolean).apply(this ?? stream, [chunk, ...rest]);
    const encoding = typeof rest[0] === "string" ? (rest[0] as BufferEncoding) : undefined;
    const callback = rest.find((arg): arg is (error?: Error | null) => void => typeof arg === "function");
    sink.write(typeof chunk === "string" ? (encoding === undefined ? chunk : Buffer.from(chunk, encoding).toString("utf8")) : Buffer.from(chunk as Uint8Array).toString("utf8"));
    if (callback !== undefined) process.nextTick(callback, null);
    return true;
  } as Write;
}

function uninstall(): void {
  if (originals === undefined) return;
  for (const method of METHODS) console[method] = originals[method];
  originals = undefined;
  // another tool that replaced write() after us keeps its own (it calls ours, which passes through outside tasks)
  for (const { stream, write, replacement } of originalWrites ?? []) if (stream.write === replacement) stream.write = write;
  originalWrites = undefined;
}
