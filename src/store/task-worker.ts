import type { Job, Worker } from "bullmq";
import { loadBullmq } from "./bullmq.js";
import type { Store } from "./connection.js";
import { JobCancelledError } from "./store-errors.js";
import { failureReason, type LaneCloseJob, type RemoteChanges, type RemoteTaskJob } from "./remote-outcome.js";

/*
 * How often a job whose worker died or hung (its lock ran out) is put back
 * for another worker before it fails as an incident: a task is retried
 * after stalls only, and a task that kills every worker it runs on must
 * stop somewhere.
 */
export const MAX_STALLS = 3;

export interface TaskWorkerOptions {
  store: Store;
  /** the pool's queue for this process version (queue-name.ts) */
  queue: string;
  /** jobs run at once */
  concurrency: number;
  /** how long a job's lock lasts without renewal (renewed at half of it): a worker silent that long has lost its job */
  lockDurationMs: number;
  /** how often workers look for jobs whose lock ran out */
  stalledIntervalMs: number;
  /** runs one task: the changes it made, or throws the task's failure; `report` sets the job's progress (the orchestrator hears of it) */
  run(job: RemoteTaskJob, signal: AbortSignal | undefined, report: (progress: object) => Promise<void>): Promise<RemoteChanges | undefined>;
  /** tears down a lane instance this worker holds (the jobs of its own queue: worker-lanes.ts) */
  closeLane?(job: LaneCloseJob): Promise<void>;
  /** stored on the jobs it takes (`host:pid`), for people looking at a queue */
  name?: string;
  /** why job `id` was cancelled, when a request for it came before its processor started (job-cancel.ts) */
  cancelled?(id: string | undefined): string | undefined;
}

/**
 * A worker of one pool's queue: takes its jobs, `concurrency` at a time,
 * and runs them. A task's own failure fails the job with an
 * UnrecoverableError carrying the failure record, so BullMQ never retries
 * it (the BPMN error path decides what follows); only a stall (this worker
 * killed, hung, cut off past its lock) makes the job run again, elsewhere.
 */
export async function startTaskWorker(options: TaskWorkerOptions): Promise<Worker> {
  const { UnrecoverableError, Worker } = await loadBullmq();
  const process = async (job: Job<RemoteTaskJob | LaneCloseJob>, _token?: string, signal?: AbortSignal): Promise<RemoteChanges> => {
    try {
      if ("closeLane" in job.data) {
        await options.closeLane?.(job.data);
        return {};
      }
      const cancelled = options.cancelled?.(job.id);
      if (cancelled !== undefined) throw new JobCancelledError(job.id!, cancelled);
      return (await options.run(job.data, signal, (progress) => job.updateProgress(progress))) ?? {};
    } catch (error) {
      throw new UnrecoverableError(failureReason(error));
    }
  };
  const worker = new Worker<RemoteTaskJob | LaneCloseJob, RemoteChanges>(options.queue, process, {
    connection: options.store.connection,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
    maxStalledCount: MAX_STALLS,
    name: options.name,
  });
  // a lost connection is retried by ioredis; without a listener the error would be printed as unhandled
  worker.on("error", () => undefined);
  await worker.waitUntilReady();
  return worker;
}
