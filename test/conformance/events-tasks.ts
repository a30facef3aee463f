/**
 * Helpers for the ports of the original adhesive's message, deduplication
 * and timer scenarios (test/conformance/events.test.ts). Only the public API
 * is used. Nothing here measures time: waits are bounded so that a broken
 * engine fails a test instead of hanging it.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Context, RunReporter, SimulatedClock } from "../../src/index.js";
import type { TaskEventKind } from "./features-tasks.js";

/** A task start / finish / failure / cancellation, with the message event of its instance (`data.event`). */
export interface EventTaskRecord {
  kind: TaskEventKind;
  name: string;
  event: unknown;
}

/** Like RunObserver, but remembers which message event each task ran for. */
export class EventRunObserver {
  running = 0;
  maxRunning = 0;
  readonly records: EventTaskRecord[] = [];
  private readonly listeners: Array<(record: EventTaskRecord) => void> = [];
  readonly reporter: RunReporter = {
    taskStarted: (ctx: Context) => {
      this.maxRunning = Math.max(this.maxRunning, ++this.running);
      this.push("started", ctx);
    },
    taskFinished: (ctx: Context, error: unknown) => {
      this.running--;
      this.push(error === undefined ? "finished" : "failed", ctx);
    },
    taskCancelled: (ctx: Context) => {
      this.running--;
      this.push("cancelled", ctx);
    },
  };

  private push(kind: TaskEventKind, ctx: Context): void {
    const record = { kind, name: ctx.taskName, event: ctx.data.event };
    this.records.push(record);
    for (const listener of this.listeners) listener(record);
  }

  /** Calls `listener` for every record from now on. */
  onRecord(listener: (record: EventTaskRecord) => void): void {
    this.listeners.push(listener);
  }

  count(kind: TaskEventKind, name?: string): number {
    return this.records.filter((r) => r.kind === kind && (name === undefined || r.name === name)).length;
  }

  /** The events (data.event) of the tasks with that name and kind, in the order they happened. */
  eventsOf(kind: TaskEventKind, name: string): unknown[] {
    return this.records.filter((r) => r.kind === kind && r.name === name).map((r) => r.event);
  }

  /** `field` of the events of the tasks with that name and kind, sorted. */
  fieldOf(kind: TaskEventKind, name: string, field: string): unknown[] {
    return this.eventsOf(kind, name)
      .map((event) => (event as Record<string, unknown>)[field])
      .sort(compare);
  }

  /** How many times each task name had that kind of record. */
  counts(kind: TaskEventKind): Record<string, number> {
    const result: Record<string, number> = {};
    for (const r of this.records) if (r.kind === kind) result[r.name] = (result[r.name] ?? 0) + 1;
    return result;
  }
}

/** Numbers numerically, anything else as strings. */
export function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}

/** A promise with its resolve function, for tasks and sources that wait for one another. */
export interface Latch {
  readonly promise: Promise<void>;
  readonly done: boolean;
  open(): void;
}

export function latch(): Latch {
  let open!: () => void;
  let done = false;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return {
    promise,
    get done() {
      return done;
    },
    open() {
      done = true;
      open();
    },
  };
}

/** Waits (polling, bounded) for a condition; throws naming `what` if it never holds (the limit only caps a hang). */
export async function until(condition: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Resolves or rejects like `promise`, or rejects if it takes longer than `limitMs` (a hang is a failure, not a timeout of the test runner). */
export function bounded<T>(promise: Promise<T>, what: string, limitMs = 30_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${limitMs} ms (hang)`)), limitMs);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** The settled value or the rejection reason. */
export function outcome<T>(promise: Promise<T>): Promise<T | unknown> {
  return promise.then(
    (value) => value,
    (error: unknown) => error,
  );
}

/** Lets the macrotasks queued so far (I/O, timers due, the engine's follow-ups) run. */
export function nextTurn(ms = 10): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Lets the event loop go round `count` times, so that whatever the engine
 * would do next (it works in promise callbacks and setImmediate turns) has
 * happened: for checks that something did NOT happen. Counted in turns, not
 * milliseconds, so a slow machine gives the engine the same chance.
 */
export async function turns(count = 50): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** `time.sleep(ms)` of the original, on a simulated clock; ends early (without error) when `signal` fires. */
export function clockSleep(clock: SimulatedClock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const handle = clock.setTimer(ms, () => resolve(), undefined);
    signal.addEventListener("abort", () => {
      clock.clearTimer(handle);
      resolve();
    });
  });
}

/** `time.sleep(ms)` of the original in real time; ends early (without error) when `signal` fires. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * The Flask app of the original callback-ingestion scenario: one real HTTP
 * server on 127.0.0.1 (random port) shared by the message callbacks that
 * register routes on it. GET /health answers "ok"; a registered route calls
 * its handler, then answers "ok".
 */
export class RestEndpoint {
  private readonly routes = new Map<string, () => void>();
  private server: Server | undefined;
  private listening: Promise<number> | undefined;
  private resolveClosed!: () => void;
  /** resolves once the server is closed (or close() was called before it started) */
  readonly closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));
  private isClosed = false;

  route(path: string, handler: () => void): void {
    this.routes.set(path, handler);
  }

  /** Starts the server once; resolves with its port. */
  start(): Promise<number> {
    this.listening ??= new Promise<number>((resolve, reject) => {
      if (this.isClosed) {
        reject(new Error("the endpoint was closed before it started"));
        return;
      }
      const server = createServer((request, response) => {
        const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
        const handler = this.routes.get(path);
        if (path !== "/health" && handler === undefined) {
          response.writeHead(404).end("not found");
          return;
        }
        handler?.();
        response.writeHead(200, { "content-type": "text/plain" }).end("ok");
      });
      this.server = server;
      server.on("close", () => this.resolveClosed());
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
    });
    return this.listening;
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.server === undefined) {
      this.resolveClosed();
      return;
    }
    this.server.close();
    // fetch keeps connections alive: drop them so close() does not wait for their idle timeout
    this.server.closeAllConnections();
  }
}

/** GET with a time limit; returns the body, failing on anything but 200. */
export async function get(url: string, limitMs = 5_000): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(limitMs) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${text}`);
  return text;
}
