/*
 * A worker thread of parallel_processing: worker. It imports the same
 * process file as the main thread, so the same task() calls register the
 * same functions in the same order; bpmnBuild() and friends do not run
 * anything here (the thread's RunSession is a worker's). The main thread sends one job per task
 * and gets the task's data, its output and its error back.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Context, TaskFunction } from "../api/types.js";
import { RunSession } from "../api/run-session.js";
import type { Registry } from "../tasks/registry.js";
import { importProcessFile } from "../loader/import-process-file.js";
import { describe } from "../errors.js";
import { defaultAdhesive } from "../index.js";
import { captureConsole, withOutput } from "../logs/console-capture.js";
import { redact } from "../secrets/redact.js";
import { RedactingSink } from "../secrets/stream-redactor.js";
import { guardProcessExit } from "../runtime/process-exit.js";
import { LocalWorkspace } from "../workspaces/local.js";
import type { OutputSink } from "../workspaces/workspace.js";
import { TaskData } from "../engine/task-data.js";
import type { DataChanges, FromWorker, Job, PlainLoop, SerializedError, ToWorker } from "./protocol.js";

const port = parentPort!;
const running = new Map<number, AbortController>();
const waiting: Job[] = [];
let ready = false;
let loadError: SerializedError | undefined;
/* the instance whose run the main thread runs: its declarations are in the same order here (the default one until the file starts a run) */
let registry: Registry | undefined;

function send(message: FromWorker): void {
  port.postMessage(message);
}

/* the file has registered its tasks once it asks to run a process, or once it has been imported */
function markReady(): void {
  if (ready) return;
  ready = true;
  send({ type: "ready" });
  for (const job of waiting.splice(0)) void run(job);
}

port.on("message", (message: ToWorker) => {
  if (message.type === "cancel") running.get(message.job)?.abort(new Error("the task was cancelled"));
  else if (loadError !== undefined) send({ type: "failed", job: message.job.job, error: loadError });
  else if (ready) void run(message.job);
  else waiting.push(message.job);
});

async function run(job: Job): Promise<void> {
  const controller = new AbortController();
  running.set(job.job, controller);
  // secrets read in this thread are only known to this thread's redactor
  const output = new RedactingSink((text) => send({ type: "output", job: job.job, text }));
  try {
    const fn = lookup(job);
    // the same copy-on-write view as in the main thread: only what the task changed goes back
    const view = new TaskData(job.data, job.taskName, job.task.id);
    const ctx = context(job, view.proxy, controller.signal, output);
    await withOutput(output, fn, ctx, ...job.groups);
    output.end();
    send({ type: "done", job: job.job, changes: changesOf(view) });
  } catch (error) {
    output.end();
    send({ type: "failed", job: job.job, error: serialize(error) });
  } finally {
    running.delete(job.job);
  }
}

function lookup(job: Job): TaskFunction {
  const declaration = (registry ?? defaultAdhesive.registry).declarations[job.index];
  if (declaration === undefined || declaration.label !== job.label) {
    throw new Error(
      `worker thread: the process file registered different tasks here (expected ${job.label} at position ${job.index}); ` +
        "in parallel_processing: worker mode every task() must be declared at the top level, the same way on every load",
    );
  }
  return declaration.fn as TaskFunction;
}

function changesOf(view: TaskData): DataChanges {
  const result = view.finish();
  const changes: DataChanges = { set: {}, deleted: [] };
  for (const key of result?.changed ?? []) {
    if (Object.hasOwn(result!.data, key)) Object.defineProperty(changes.set, key, { value: result!.data[key], enumerable: true });
    else changes.deleted.push(key);
  }
  return changes;
}

function context(job: Job, data: Context["data"], signal: AbortSignal, output: OutputSink): Context {
  return {
    task: job.task as Context["task"],
    taskName: job.taskName,
    data,
    loop: job.loop as PlainLoop | undefined,
    lane: job.lane,
    workspace: new LocalWorkspace({ id: job.executionId, pwd: job.pwd }, { signal, output }),
    executionId: job.executionId,
    tokenId: job.tokenId,
    signal,
    attempt: job.attempt,
    resumed: job.attempt > 1,
    idempotencyKey: job.idempotencyKey,
  };
}

function serialize(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: redact(error.message), stack: error.stack && redact(error.stack), code: typeof code === "string" ? code : undefined };
  }
  return { name: "Error", message: redact(describe(error)), stack: undefined, code: undefined };
}

new RunSession({
  purpose: {
    kind: "worker",
    onProcessStart: (started) => {
      registry ??= started;
      markReady();
    },
  },
}).enter();
captureConsole();
// process.exit() in a task would end this thread, not fail the task
guardProcessExit();
const { file } = workerData as { file: string };
importProcessFile(file).then(markReady, (error: unknown) => {
  // the main thread loaded the same file without this error: every job gets it instead of waiting forever
  loadError = serialize(error);
  for (const job of waiting.splice(0)) send({ type: "failed", job: job.job, error: loadError });
});
