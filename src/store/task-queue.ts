import type { Queue, QueueEvents } from "bullmq";
import { loadBullmq } from "./bullmq.js";
import { Completions, type JobEnd } from "./completions.js";
import type { Store } from "./connection.js";
import { jobId } from "./job-id.js";
import type { RemoteOutcome, RemoteTaskJob } from "./remote-outcome.js";

export interface TaskQueueSettings {
  /** how long a finished job (and its result) is kept, in seconds: the time an orchestrator has to record it */
  keepResultsS: number;
  /** how often each job in flight is asked for its state; undefined: only when confirm() is called */
  confirmEveryMs: number | undefined;
}

/**
 * The orchestrator's side of one pool's queue (one per pool and process
 * version, queue-name.ts): adds the jobs of remote tasks and records how
 * they end.
 *
 * Outcomes come from QueueEvents, and are confirmed by asking each job in
 * flight for its state, every `confirmEveryMs` and once the listener is
 * up: events alone can be missed (the events stream is trimmed, and a
 * listener that was down or not yet subscribed hears nothing of what ended
 * meanwhile). A job in flight that BullMQ no longer has (it was never added:
 * the orchestrator died between the start record and the add) is added
 * again under the same id.
 *
 * Jobs are added with one attempt: a task's own failure is final (the BPMN
 * error path); only stalls (a worker that died or hung) make BullMQ run a
 * job again (task-worker.ts). Finished jobs are kept for `keepResultsS`,
 * never removed on completion: a kept job is what makes a second add of the
 * same id add nothing.
 */
export class TaskQueue {
  readonly name: string;
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly completions: Completions;
  private readonly settings: TaskQueueSettings;
  private timer: NodeJS.Timeout | undefined;
  private confirming: Promise<void> | undefined;

  private constructor(name: string, queue: Queue, events: QueueEvents, settings: TaskQueueSettings, record: (outcome: RemoteOutcome) => void) {
    this.name = name;
    this.queue = queue;
    this.events = events;
    this.settings = settings;
    this.completions = new Completions(record);
  }

  static async open(store: Store, name: string, settings: TaskQueueSettings, record: (outcome: RemoteOutcome) => void): Promise<TaskQueue> {
    const { Queue, QueueEvents } = await loadBullmq();
    const queue = new Queue(name, { connection: store.connection });
    const events = new QueueEvents(name, { connection: store.connection });
    const tasks = new TaskQueue(name, queue, events, settings, record);
    events.on("completed", ({ jobId, returnvalue }) => tasks.settle(jobId, { state: "completed", returnvalue }));
    events.on("failed", ({ jobId, failedReason }) => tasks.settle(jobId, { state: "failed", failedReason }));
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    if (settings.confirmEveryMs !== undefined) {
      tasks.timer = setInterval(() => void tasks.confirm().catch(() => undefined), settings.confirmEveryMs);
      tasks.timer.unref();
    }
    return tasks;
  }

  /** Jobs in flight: added (or adopted) and not yet recorded. */
  get inFlight(): number {
    return this.completions.size;
  }

  /** Adds the job of a task whose start record is written: nothing is added when BullMQ has a job of that id. */
  async add(job: RemoteTaskJob): Promise<string> {
    const id = jobId(job.run, job.seq, job.attempt);
    this.completions.track(id, job);
    await this.addJob(id, job);
    return id;
  }

  /**
   * Takes a job in flight over without adding it (a standby that replayed
   * the journal: the start record says the job may exist). The next
   * confirm() finds how it stands, and adds it if it is missing.
   */
  adopt(job: RemoteTaskJob): string {
    const id = jobId(job.run, job.seq, job.attempt);
    this.completions.track(id, job);
    return id;
  }

  /**
   * Asks each job in flight how it stands: a finished one is recorded (once,
   * whatever the events said), a missing one is added again under its id,
   * one waiting or running is left alone.
   */
  confirm(): Promise<void> {
    // one check at a time: a slow store must not pile them up
    this.confirming ??= this.check().finally(() => (this.confirming = undefined));
    return this.confirming;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([this.events.close(), this.queue.close()]);
  }

  private settle(id: string, end: JobEnd): void {
    this.completions.settle(id, end);
  }

  private async check(): Promise<void> {
    const { Job } = await loadBullmq();
    await Promise.all(
      this.completions.ids().map(async (id) => {
        const state = await this.queue.getJobState(id);
        if (state === "completed" || state === "failed") {
          const job = await Job.fromId(this.queue, id);
          // removed meanwhile (kept for less time than the orchestrator was away): added again below
          if (job !== undefined) {
            this.settle(id, state === "completed" ? { state, returnvalue: job.returnvalue } : { state, failedReason: job.failedReason });
            return;
          }
        } else if (state !== "unknown") return;
        const missing = this.completions.job(id);
        if (missing !== undefined) await this.addJob(id, missing);
      }),
    );
  }

  private async addJob(id: string, job: RemoteTaskJob): Promise<void> {
    const keep = { age: this.settings.keepResultsS };
    await this.queue.add(job.name, job, { jobId: id, attempts: 1, removeOnComplete: keep, removeOnFail: keep });
  }
}
