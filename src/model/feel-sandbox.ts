import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";

/** What one bounded FEEL evaluation may take. */
export const FEEL_LIMITS = { timeoutMs: 1000, heapMb: 128 } as const;
/* the first evaluation waits for the thread to load feelin; that is not the expression's time */
const START_TIMEOUT_MS = 10_000;

export interface FeelOutcome {
  value: unknown;
  warnings: Array<{ type: string; message: string }>;
}

/** The expression ran out of time or memory; the thread that ran it is gone. */
export class FeelLimitReached extends Error {
  constructor() {
    super(
      `it did not finish within ${FEEL_LIMITS.timeoutMs} ms and ${FEEL_LIMITS.heapMb} MB (a for, some or every over too many items, or a regular expression that backtracks?)`,
    );
  }
}

interface Sandbox {
  worker: Worker;
  port: MessagePort;
  state: Int32Array;
  /* the last regex input sent to the thread */
  input?: string;
}

let sandbox: Sandbox | undefined;

/**
 * Evaluates FEEL in a worker thread with a heap limit, synchronously
 * (conditions are evaluated synchronously by the engine): the main thread
 * posts the expression and its variables, then blocks in Atomics.wait until
 * the worker flags its answer or the time is up. On time-out the worker is
 * terminated (a thread that ran out of memory is already dead and simply
 * never answers) and the next evaluation starts a new one. Hand-written:
 * synckit, the library for synchronous worker calls, has no heap limit and
 * keeps using a worker that never answered.
 */
export function evaluateBounded(body: string, context: Record<string, unknown>): FeelOutcome {
  const reply = call({ body, context }, FEEL_LIMITS.timeoutMs) as (FeelOutcome & { error?: string }) | undefined;
  if (reply === undefined) throw new FeelLimitReached();
  if (reply.error !== undefined) throw new Error(reply.error);
  return reply;
}

/** One regular expression operation of a JavaScript expression (js-regex.ts), run by the same thread. */
export interface RegexRequest {
  op: "exec" | "match" | "replace" | "split";
  source: string;
  flags: string;
  lastIndex: unknown;
  replacement?: string;
  limit?: number;
}

export interface RegexReply {
  lastIndex: unknown;
  /* exec: the match as plain arrays and objects (a structured clone keeps no extra properties on an array) */
  match?: { values: Array<string | undefined>; index: number; groups?: Record<string, string | undefined>; indices?: { values: Array<[number, number] | undefined>; groups?: Record<string, [number, number] | undefined> } } | null;
  value?: unknown;
}

/**
 * Runs a regular expression operation on `input` in the sandbox thread;
 * undefined when it did not finish within `timeoutMs` (the thread is
 * terminated: V8 stops a backtracking match on termination). The thread
 * keeps the last input, so a loop of matches over one long string sends it
 * once.
 */
export function regexBounded(request: RegexRequest, input: string, timeoutMs: number): RegexReply | undefined {
  const current = sandbox ?? start();
  const same = current.input === input;
  current.input = input;
  return call({ regex: request, input: same ? undefined : input }, timeoutMs, current) as RegexReply | undefined;
}

/* The reply, or undefined once the time is up (the thread is then discarded). */
function call(message: unknown, timeoutMs: number, current = sandbox ?? start()): unknown {
  Atomics.store(current.state, 0, 0);
  current.port.postMessage(message);
  const answered = Atomics.wait(current.state, 0, 0, timeoutMs) !== "timed-out";
  const reply = answered ? (receiveMessageOnPort(current.port)?.message as unknown) : undefined;
  if (reply === undefined) discard(current);
  return reply;
}

function start(): Sandbox {
  const { port1, port2 } = new MessageChannel();
  const state = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL("./feel-sandbox-worker.mjs", import.meta.url), {
    workerData: { port: port2, flag: state.buffer },
    transferList: [port2],
    resourceLimits: { maxOldGenerationSizeMb: FEEL_LIMITS.heapMb },
    // the parent's --import hooks (tsx) are not needed and would slow the start
    execArgv: [],
  });
  const started: Sandbox = { worker, port: port1, state };
  // a thread that died (out of memory) reports it later on the event loop: it is already replaced by then
  worker.on("error", () => discard(started));
  worker.on("exit", () => discard(started));
  worker.unref();
  port1.unref();
  if (Atomics.wait(state, 0, 0, START_TIMEOUT_MS) === "timed-out") {
    void worker.terminate();
    throw new Error(`the FEEL sandbox thread did not start within ${START_TIMEOUT_MS} ms`);
  }
  sandbox = started;
  return started;
}

function discard(dead: Sandbox): void {
  if (sandbox === dead) sandbox = undefined;
  dead.port.close();
  void dead.worker.terminate();
}
