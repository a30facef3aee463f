import type { Queue } from "bullmq";
import { jobAdder, type JobAdder, type QueueKeys } from "./add-jobs.js";
import { bullmqInstalled, loadBullmq } from "./bullmq.js";
import { Completions, type JobEnd } from "./completions.js";
import type { Store } from "./connection.js";
import { jobId } from "./job-id.js";
import { cancelJob } from "./job-cancel.js";
import { lookAtJobs } from "./job-states.js";
import { QueueEnds } from "./queue-ends.js";
import type { RemoteOutcome, RemoteTaskJob } from "./remote-outcome.js";

/* the longest a job in flight goes without the timer asking for its state */
const MAX_CHECK_EVERY_MS = 30_000;

export interface TaskQueueSettings {
  /** how long a finished job (and its result) is kept, in seconds: the time an orchestrator has to record it */
  keepResultsS: number;
  /** how often each job in flight is asked for its state; undefined: only when confirm() is called */
  confirmEveryMs: number | undefined;
  /** a job still waiting for a worker this long after it was added is reported once to onSlowStart (undefined: never) */
  scheduleToStartMs?: number;
  onSlowStart?(job: RemoteTaskJob, id: string, waitedMs: number): void;
  /** what a worker reported of a job while it runs (job.updateProgress): the lane instance it claimed */
  onProgress?(id: string, progress: unknown): void;
}

/**
 * The orchestrator's side of one pool's queue (one per pool and process
 * version, queue-name.ts): adds the jobs of remote tasks and records how
 * they end.
 *
 * Outcomes come from BullMQ's events stream (queue-ends.ts), and are
 * confirmed by asking each job in flight for its state (one script call for
 * all the jobs due, job-states.ts), every `confirmEveryMs` and once the
 * listener is up: events alone can be missed (the events stream is trimmed,
 * and a listener that was down or not yet subscribed hears nothing of what
 * ended meanwhile). A job in flight that BullMQ no longer has (it was never added:
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
  /* BullMQ's keys of the queue (Queue.toKey, the default prefix), which the scripts of the jobs' adds, looks and ends use */
  private readonly keys: QueueKeys;
  /* BullMQ's Queue, made on first need (a takeover's look at earlier attempts, a lane's close, adds when the adder is not BullMQ's): the usual adds and ends never load BullMQ */
  private queue: Promise<Queue> | undefined;
  private events!: QueueEnds;
  private readonly store: Store;
  private readonly completions: Completions;
  private readonly settings: TaskQueueSettings;
  private timer: NodeJS.Timeout | undefined;
  private confirming: Promise<void> | undefined;
  /* per job in flight waiting for a worker, when it was added or found waiting (removed once reported as slow); only with a scheduleToStartMs */
  private readonly waitingSince = new Map<string, number>();
  /*
   * per job in flight, when the timer asks it next, and how long it waited
   * since the last time: doubled after each look, up to MAX_CHECK_EVERY_MS,
   * so a long queue of waiting jobs does not cost a state query per job and
   * tick (events tell of nearly every end; this finds the few they missed)
   */
  private readonly nextCheck = new Map<string, { at: number; every: number }>();
  /*
   * the jobs to add once the promise callbacks running now are done, in one
   * go (add-jobs.ts: one script call per 200 jobs for the tasks the engine
   * launched together), and what their adds wait on
   */
  private adding: Array<{ id: string; job: RemoteTaskJob }> = [];
  private added: Promise<void> | undefined;
  /* the jobs call() added that are not tasks, until they end */
  private readonly calls = new Map<string, { resolve(value: unknown): void; reject(error: Error): void }>();

  private readonly adder: JobAdder | undefined;
  /* the batches of adds sent or about to be, until they are in */
  private readonly sending = new Set<Promise<void>>();
  /* cancel requests on their way (cancel()) */
  private readonly cancelling = new Set<Promise<void>>();

  private constructor(name: string, store: Store, adder: JobAdder | undefined, settings: TaskQueueSettings, record: (outcome: RemoteOutcome) => void) {
    this.name = name;
    this.keys = queueKeys(name);
    this.store = store;
    this.adder = adder;
    this.settings = settings;
    this.completions = new Completions(record);
  }

  static async open(store: Store, name: string, settings: TaskQueueSettings, record: (outcome: RemoteOutcome) => void): Promise<TaskQueue> {
    await bullmqInstalled();
    const tasks = new TaskQueue(name, store, await jobAdder(), settings, record);
    tasks.events = await QueueEnds.open(store.redis, tasks.keys.toKey("events"), { ended: (id, end) => tasks.settle(id, end), progress: settings.onProgress });
    if (settings.confirmEveryMs !== undefined) {
      tasks.timer = setInterval(() => void tasks.confirmDue().catch(() => undefined), settings.confirmEveryMs);
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
    if (this.settings.scheduleToStartMs !== undefined) this.waitingSince.set(id, Date.now());
    const every = this.settings.confirmEveryMs ?? MAX_CHECK_EVERY_MS;
    // not asked before its add is in: a batch of thousands can take longer than a tick, and would be found missing and added again
    this.nextCheck.set(id, { at: Infinity, every });
    try {
      await this.addJob(id, job);
    } finally {
      const next = this.nextCheck.get(id);
      if (next !== undefined) {
        next.at = Date.now() + every;
        next.every = every;
      }
    }
    return id;
  }

  /**
   * A task that runs again after a takeover (its start record has attempt
   * `job.attempt`): the job of an earlier attempt that BullMQ still has is
   * adopted, so a job waiting, running or finished is never run again;
   * when BullMQ has none, the job of the last attempt is added again under
   * its id. The next confirm() records what finished meanwhile.
   */
  async resume(job: RemoteTaskJob): Promise<string> {
    for (let attempt = job.attempt - 1; attempt >= 1; attempt--) {
      const id = jobId(job.run, job.seq, attempt);
      if ((await (await this.bullmq()).getJobState(id)) === "unknown") continue;
      this.adopt({ ...job, attempt });
      await this.confirm();
      return id;
    }
    return this.add({ ...job, attempt: Math.max(1, job.attempt - 1) });
  }

  /** Whether BullMQ has a job of an attempt before `job.attempt` of its task (a takeover's task, whose job may be in this queue). */
  async knows(job: RemoteTaskJob): Promise<boolean> {
    for (let attempt = job.attempt - 1; attempt >= 1; attempt--) if ((await (await this.bullmq()).getJobState(jobId(job.run, job.seq, attempt))) !== "unknown") return true;
    return false;
  }

  /**
   * Adds a job that is not a task (a lane instance's teardown) and resolves
   * once a worker finished it, rejects with its failure; nothing of it is
   * tracked or journaled.
   */
  async call(name: string, data: object, id: string): Promise<unknown> {
    const keep = { age: this.settings.keepResultsS };
    const ended = new Promise<unknown>((resolve, reject) => this.calls.set(id, { resolve, reject }));
    // it may fail while the add or the look below is under way, before the caller has it: not an unhandled rejection
    ended.catch(() => undefined);
    try {
      await (await this.bullmq()).add(name, data, { jobId: id, attempts: 1, removeOnComplete: keep, removeOnFail: keep });
    } catch (error) {
      this.calls.delete(id);
      throw error;
    }
    // it may have ended before it was listened for: a job of that id was added earlier (nothing is added again)
    for (const [looked, look] of await lookAtJobs(this.store.redis, this.keys, [id])) if (look.state === "completed" || look.state === "failed") this.settle(looked, look);
    const every = this.settings.confirmEveryMs ?? MAX_CHECK_EVERY_MS;
    if (this.calls.has(id)) this.nextCheck.set(id, { at: Date.now() + every, every });
    return ended;
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
    return this.checkOnce(() => true);
  }

  /* the timer's look: only the jobs whose turn it is */
  private confirmDue(): Promise<void> {
    const now = Date.now();
    return this.checkOnce((id) => (this.nextCheck.get(id)?.at ?? 0) <= now);
  }

  private checkOnce(due: (id: string) => boolean): Promise<void> {
    // one check at a time: a slow store must not pile them up
    this.confirming ??= this.check(due).finally(() => (this.confirming = undefined));
    return this.confirming;
  }

  /**
   * Task `seq` of run `run` is no longer waited for (interrupted,
   * cancelled): its job is not asked after nor added again, and is removed
   * when it waits, aborted on its worker when it runs (job-cancel.ts).
   * close() waits for the requests sent.
   */
  cancel(run: string, seq: number, reason: string): void {
    for (const id of this.completions.forget(run, seq)) {
      this.waitingSince.delete(id);
      this.nextCheck.delete(id);
      // after the adds under way; BullMQ's own Queue only to remove a waiting job (rare: loading it then is no cost per task)
      const cancelling = Promise.all(this.sending)
        .catch(() => undefined)
        .then(async () => {
          const look = (await lookAtJobs(this.store.redis, this.keys, [id])).get(id)!;
          await cancelJob(this.store.redis, this.name, id, look, async () => (await this.bullmq()).remove(id), reason);
        })
        .catch(() => undefined)
        .finally(() => this.cancelling.delete(cancelling));
      this.cancelling.add(cancelling);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.cancelling);
    this.timer = undefined;
    await Promise.all([this.events.close(), this.queue?.then((queue) => queue.close(), () => undefined)]);
  }

  private settle(id: string, end: JobEnd): void {
    const call = this.calls.get(id);
    if (call !== undefined) {
      this.calls.delete(id);
      this.nextCheck.delete(id);
      return end.state === "completed" ? call.resolve(end.returnvalue) : call.reject(new Error(end.failedReason));
    }
    if (!this.completions.settle(id, end)) return;
    this.waitingSince.delete(id);
    this.nextCheck.delete(id);
  }

  private async check(due: (id: string) => boolean): Promise<void> {
    const ids = [...this.completions.ids(), ...this.calls.keys()].filter(due);
    if (ids.length === 0) return;
    for (const id of ids) {
      const last = this.nextCheck.get(id)?.every ?? this.settings.confirmEveryMs ?? MAX_CHECK_EVERY_MS;
      const every = Math.min(last * 2, MAX_CHECK_EVERY_MS);
      this.nextCheck.set(id, { at: Date.now() + every, every });
    }
    const looks = await lookAtJobs(this.store.redis, this.keys, ids);
    const missing: Array<Promise<void>> = [];
    for (const [id, look] of looks) {
      this.noteWaiting(id, look.state === "waiting");
      if (look.state === "completed" || look.state === "failed") this.settle(id, look);
      else if (look.state === "unknown") {
        const job = this.completions.job(id);
        if (job !== undefined) missing.push(this.addJob(id, job));
      }
    }
    await Promise.all(missing);
  }

  private noteWaiting(id: string, waiting: boolean): void {
    const limit = this.settings.scheduleToStartMs;
    if (limit === undefined) return;
    if (!waiting) return void this.waitingSince.delete(id);
    const since = this.waitingSince.get(id);
    if (since === undefined) return void this.waitingSince.set(id, Date.now());
    const waited = Date.now() - since;
    const job = this.completions.job(id);
    if (waited < limit || job === undefined) return;
    // reported once per wait; a job that starts and comes back (a stall) counts again from then
    this.waitingSince.set(id, Infinity);
    this.settings.onSlowStart?.(job, id, waited);
  }

  private bullmq(): Promise<Queue> {
    this.queue ??= loadBullmq()
      .then(async ({ Queue }) => {
        const queue = new Queue(this.name, { connection: this.store.connection });
        await queue.waitUntilReady();
        return queue;
      })
      .catch((error: unknown) => {
        // the next need tries again
        this.queue = undefined;
        throw error;
      });
    return this.queue;
  }

  private addJob(id: string, job: RemoteTaskJob): Promise<void> {
    this.adding.push({ id, job });
    if (this.added === undefined) {
      const added = new Promise<void>((resolve, reject) =>
        process.nextTick(() => {
          const batch = this.adding;
          this.adding = [];
          this.added = undefined;
          const keep = { age: this.settings.keepResultsS };
          const options = { attempts: 1, removeOnComplete: keep, removeOnFail: keep };
          const adding = this.adder !== undefined ? this.adder.add(this.store.redis, this.keys, options, batch.map(({ id, job }) => ({ id, name: job.name, data: job }))) : this.bullmq().then((queue) => queue.addBulk(batch.map(({ id, job }) => ({ name: job.name, data: job, opts: { ...options, jobId: id } }))));
          adding.then(() => resolve(), reject);
        }),
      );
      this.added = added;
      // a cancel waits for the adds under way (its remove goes over another connection and could overtake them)
      this.sending.add(added);
      void added.catch(() => undefined).finally(() => this.sending.delete(added));
    }
    return this.added;
  }
}

/** BullMQ's keys of queue `name` (its Queue.toKey with the default prefix `bull`): test/store/task-queue.test.ts holds them to BullMQ's. */
export function queueKeys(name: string): QueueKeys {
  const prefix = `bull:${name}:`;
  return { toKey: (type) => prefix + type };
}
