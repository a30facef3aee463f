import { Worker } from "node:worker_threads";
import type { OutputSink } from "../workspaces/workspace.js";
import type { DataChanges, FromWorker, Job, SerializedError } from "./protocol.js";

interface Pending {
  resolve(changes: DataChanges): void;
  reject(error: Error): void;
  output: OutputSink;
  worker: PooledWorker;
}

interface PooledWorker {
  thread: Worker;
  busy: number;
}

/**
 * Worker threads that run task functions (parallel_processing: worker), so
 * CPU-bound tasks use every core. Threads start on the first task; a job
 * goes to the least busy one; they are terminated when the run ends.
 */
export class WorkerPool {
  private readonly file: string;
  private readonly size: number;
  private readonly workers: PooledWorker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextJob = 1;

  constructor(file: string, size: number) {
    this.file = file;
    this.size = Math.max(1, size);
  }

  /** Runs a task in a worker; resolves to what it changed in its data, rejects with its error. Cancelling `signal` cancels it there. */
  run(job: Omit<Job, "job">, output: OutputSink, signal: AbortSignal): Promise<DataChanges> {
    const worker = this.pick();
    const id = this.nextJob++;
    return new Promise<DataChanges>((resolve, reject) => {
      const cancel = (): void => worker.thread.postMessage({ type: "cancel", job: id });
      const stopListening = (): void => signal.removeEventListener("abort", cancel);
      const pending: Pending = {
        resolve: (changes) => (stopListening(), resolve(changes)),
        reject: (error) => (stopListening(), reject(error)),
        output,
        worker,
      };
      this.pending.set(id, pending);
      worker.busy++;
      signal.addEventListener("abort", cancel, { once: true });
      try {
        worker.thread.postMessage({ type: "run", job: { ...job, job: id } });
      } catch (error) {
        this.finish(id);
        pending.reject(
          new Error(`the task's data cannot be sent to a worker thread (parallel_processing: worker needs structured-clone friendly data): ${(error as Error).message}`),
        );
      }
    });
  }

  async close(): Promise<void> {
    const threads = this.workers.splice(0).map((worker) => worker.thread.terminate());
    await Promise.all(threads);
  }

  private pick(): PooledWorker {
    const idle = this.workers.find((worker) => worker.busy === 0);
    if (idle !== undefined) return idle;
    if (this.workers.length < this.size) return this.start();
    return this.workers.reduce((least, worker) => (worker.busy < least.busy ? worker : least));
  }

  private start(): PooledWorker {
    const thread = new Worker(new URL("./worker-entry.mjs", import.meta.url), { workerData: { file: this.file } });
    const worker: PooledWorker = { thread, busy: 0 };
    thread.on("message", (message: FromWorker) => this.receive(message));
    thread.on("error", (error) => this.lost(worker, `a worker thread failed: ${error.message}`));
    thread.on("exit", (code) => this.lost(worker, `a worker thread exited (code ${code})`));
    this.workers.push(worker);
    return worker;
  }

  private receive(message: FromWorker): void {
    if (message.type === "ready") return;
    const pending = this.pending.get(message.job);
    if (pending === undefined) return;
    if (message.type === "output") {
      pending.output.write(message.text);
      return;
    }
    this.finish(message.job);
    if (message.type === "done") pending.resolve(message.changes);
    else pending.reject(revive(message.error));
  }

  /** A thread that died takes its jobs with it: they fail instead of waiting forever. */
  private lost(worker: PooledWorker, reason: string): void {
    const index = this.workers.indexOf(worker);
    if (index < 0) return;
    this.workers.splice(index, 1);
    for (const [id, pending] of this.pending) {
      if (pending.worker !== worker) continue;
      this.finish(id);
      pending.reject(new Error(reason));
    }
  }

  private finish(id: number): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    pending.worker.busy--;
  }
}

/** The task's error as the main thread reports it: same message, name, code and stack. */
function revive(serialized: SerializedError): Error {
  const error = new Error(serialized.message);
  error.name = serialized.name;
  if (serialized.stack !== undefined) error.stack = serialized.stack;
  if (serialized.code !== undefined) Object.assign(error, { code: serialized.code });
  return error;
}
