import type { Context } from "../api/types.js";
import type { Data } from "../engine/data.js";
import { describe } from "../errors.js";
import { failureError } from "../journal/records.js";
import { decodeValue, encodeValue } from "../journal/values.js";
import type { PlainLoop } from "../workers/protocol.js";
import type { LoopInfo } from "../api/types.js";
import type { Store } from "./connection.js";
import { queueName } from "./queue-name.js";
import { StickyLanes } from "./sticky-lanes.js";
import type { RemoteLaneCloser, RemoteLaneInstance } from "../lanes/lanes.js";
import type { RemoteChanges, RemoteOutcome, RemoteTaskJob } from "./remote-outcome.js";
import { TaskQueue } from "./task-queue.js";
import { matchName } from "../tasks/matcher.js";
import type { OutputSink } from "../workspaces/workspace.js";

/** A job that ran out of stalls: the task waits for `adhesive retry`. */
export interface Incident {
  seq: number;
  node: string;
  task: string;
  queue: string;
  job: string;
  reason: string;
}

export interface RemoteTasksSettings {
  store: Store;
  runId: string;
  /** lane patterns (whole lane names) and their pools, first match first */
  pools: ReadonlyArray<{ readonly lane: string; readonly pool: string }>;
  /** the lanes declared with remote(pool) in code (matched as lane() matches), after the patterns */
  lanes: ReadonlyArray<{ readonly patterns: readonly RegExp[]; readonly pool: string }>;
  /** the process version the queue names carry (queue-name.ts) */
  version: string;
  keepResultsS: number;
  /** how often the jobs in flight are asked for their state */
  confirmEveryMs: number;
  scheduleToStartMs: number | undefined;
  /** the incidents open now, each time they change */
  incidents(open: readonly Incident[]): void;
  /** something a person should hear of: a job waiting for a worker, an incident */
  warn(text: string): void;
  /** calls `done` once what the run recorded so far is in its journal (true), or will never be: its owner lost the run (false) */
  whenRecorded(done: (written: boolean) => void): void;
}

interface Waiter {
  resolve(changes: RemoteChanges): void;
  reject(error: Error): void;
  queue: string;
  node: string;
  task: string;
  /** the lane instance whose workspace it runs in, on its worker */
  instance: string | undefined;
}

/**
 * The orchestrator's remote tasks: the tasks of lanes mapped to pools
 * become jobs of the pool's queue for this process version, and their
 * outcomes come back as the task's own: what a done job changed is applied
 * to the task's data (so the engine journals it as the task's completion,
 * once), a task's failure is thrown as the same error (the BPMN error path),
 * and a job that ran out of stalls is an incident the task waits on until
 * `adhesive retry` puts it back.
 */
export class RemoteTasks implements RemoteLaneCloser {
  private readonly settings: RemoteTasksSettings;
  private readonly patterns: Array<{ test: RegExp; pool: string }>;
  private readonly byLane = new Map<string, string | undefined>();
  /* by pool: its queue's name for this process version */
  private readonly queueNames = new Map<string, string>();
  /* by queue name */
  private readonly queues = new Map<string, Promise<TaskQueue>>();
  private readonly sticky: StickyLanes;
  /* per task seq in flight */
  private readonly waiters = new Map<number, Waiter>();
  private readonly open = new Map<number, Incident>();

  constructor(settings: RemoteTasksSettings) {
    this.settings = settings;
    this.patterns = settings.pools.map(({ lane, pool }) => ({ test: new RegExp(`^(?:${lane})$`), pool }));
    this.sticky = new StickyLanes({
      store: settings.store,
      runId: settings.runId,
      version: settings.version,
      checkEveryMs: settings.confirmEveryMs,
      queue: (name, pool) => this.queue(name, pool),
      lost: (instance, error) => {
        for (const [seq, waiter] of this.waiters) if (waiter.instance === instance) this.cancel(seq, error);
      },
    });
  }

  /** The pool whose workers run the tasks of `lane`, if any. */
  poolOf(lane: string | undefined): string | undefined {
    if (lane === undefined || (this.patterns.length === 0 && this.settings.lanes.length === 0)) return undefined;
    if (this.byLane.has(lane)) return this.byLane.get(lane);
    const pool = this.patterns.find((pattern) => pattern.test.test(lane))?.pool ?? this.settings.lanes.find((declared) => matchName(declared.patterns, lane) !== undefined)?.pool;
    this.byLane.set(lane, pool);
    return pool;
  }

  /**
   * Runs the task on the pool's workers: its start record is in the
   * journal (the engine launches a task once it is written), so the job is
   * added under the id that record names; a task that runs again after a
   * takeover adopts its earlier job instead. A task of a lane instance
   * whose function runs on a worker goes to the worker holding the
   * instance, or opens it (sticky-lanes.ts). Resolves to what the function
   * returned (a deciding gateway's choice) once the changes are in `ctx.data`
   * and what the task printed on its worker is in `log`.
   */
  async run(ctx: Context, seq: number, pool: string, data: Data, decides: boolean, instance?: RemoteLaneInstance, log?: OutputSink): Promise<unknown> {
    const job: RemoteTaskJob = {
      run: this.settings.runId,
      seq,
      attempt: ctx.attempt,
      node: ctx.task.id,
      name: ctx.taskName,
      data: encodeValue(data),
      idempotencyKey: ctx.idempotencyKey,
      tokenId: ctx.tokenId,
      lane: ctx.lane,
      loop: plainLoop(ctx.loop),
    };
    const poolQueue = this.queueNameOf(pool);
    let queue: TaskQueue;
    let opens = false;
    if (instance === undefined) queue = await this.queue(poolQueue, pool);
    else {
      const route = await this.sticky.route(instance, pool, seq, ctx.signal);
      job.laneInstance = route.id;
      opens = route.opens;
      queue = route.queue;
      // after a takeover, the instance's first task may still be in the pool's queue, though its worker is known now
      if (!opens && ctx.attempt > 1 && queue.name !== poolQueue) {
        const pooled = await this.queue(poolQueue, pool);
        if (await pooled.knows(job)) queue = pooled;
      }
    }
    const changes = new Promise<RemoteChanges>((resolve, reject) => this.waiters.set(seq, { resolve, reject, queue: queue.name, node: job.node, task: job.name, instance: job.laneInstance }));
    // the instance's worker was lost while this task was routed to it: nobody takes that queue's jobs now
    const lost = job.laneInstance === undefined ? undefined : this.sticky.lostOf(job.laneInstance);
    if (lost !== undefined) {
      this.waiters.delete(seq);
      throw lost;
    }
    // a cancelled task stops waiting for its job, which is removed or stopped on its worker, unrecorded
    const cancel = (): void => {
      const reason = ctx.signal.reason as Error;
      this.cancel(seq, reason);
      // once the journal holds why the task ended: a run replayed without that (its owner died) waits for the job still,
      // and an owner whose run was taken over (its journal no longer written) must not stop the new owner's jobs
      this.settings.whenRecorded((written) => {
        if (written) queue.cancel(job.run, seq, describe(reason));
      });
    };
    ctx.signal.addEventListener("abort", cancel, { once: true });
    try {
      if (ctx.attempt > 1) await queue.resume(job);
      else await queue.add(job);
    } catch (error) {
      this.waiters.delete(seq);
      ctx.signal.removeEventListener("abort", cancel);
      if (opens) await this.sticky.openerEnded(seq, error);
      throw error;
    }
    let outcome: RemoteChanges;
    let failure: unknown;
    try {
      outcome = await changes;
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      ctx.signal.removeEventListener("abort", cancel);
      // the instance's other tasks wait for its worker, or fail as its first task did when it never opened
      if (opens) await this.sticky.openerEnded(seq, failure);
    }
    const { c, r, g, o } = outcome;
    // what the task printed on its worker (capped there) goes into this task's log
    if (o !== undefined) log?.write(o);
    for (const key of r ?? []) delete ctx.data[key];
    for (const key of Object.keys(c ?? {})) ctx.data[key] = decodeValue(c![key]);
    return decides && g !== undefined ? decodeValue(g) : undefined;
  }

  /** The lane instance ended: the worker holding it tears it down (Lanes calls this once its tasks stopped). */
  closeLane(instance: RemoteLaneInstance): Promise<void> {
    return this.sticky.close(instance);
  }

  /** Asks every job in flight how it stands now (outcomes the events missed). */
  async confirm(): Promise<void> {
    await Promise.all([...this.queues.values()].map(async (queue) => (await queue).confirm()));
  }

  async close(): Promise<void> {
    this.sticky.stop();
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(queues.map(async (queue) => (await queue.catch(() => undefined))?.close()));
  }

  private queueNameOf(pool: string): string {
    let name = this.queueNames.get(pool);
    if (name === undefined) this.queueNames.set(pool, (name = queueName(pool, this.settings.version)));
    return name;
  }

  private queue(name: string, pool: string): Promise<TaskQueue> {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      const { store, keepResultsS, confirmEveryMs, scheduleToStartMs } = this.settings;
      const onSlowStart = (job: RemoteTaskJob, id: string, waitedMs: number): void =>
        this.settings.warn(`task ${job.name} (job ${id}) has waited ${(waitedMs / 1000).toFixed(1)} s for a worker of pool ${pool} (queue ${name}): is an adhesive worker of this process version running? (schedule_to_start_ms)`);
      const onProgress = (id: string, progress: unknown): void => this.sticky.progress(id, progress);
      queue = TaskQueue.open(store, name, { keepResultsS, confirmEveryMs, scheduleToStartMs, onSlowStart, onProgress }, (outcome) => this.settle(outcome));
      this.queues.set(name, queue);
    }
    return queue;
  }

  /* a cancelled task, or a task of a lost lane instance: its job is no longer waited for */
  private cancel(seq: number, reason: Error): void {
    const waiter = this.waiters.get(seq);
    if (waiter === undefined) return;
    this.waiters.delete(seq);
    if (this.open.delete(seq)) this.settings.incidents([...this.open.values()]);
    waiter.reject(reason);
  }

  private settle(outcome: RemoteOutcome): void {
    const waiter = this.waiters.get(outcome.seq);
    if (waiter === undefined) return;
    if (outcome.kind === "incident") {
      const incident = { seq: outcome.seq, node: waiter.node, task: waiter.task, queue: waiter.queue, job: `${outcome.run}.${outcome.seq}.${outcome.attempt}`, reason: outcome.reason };
      this.open.set(outcome.seq, incident);
      this.settings.warn(`incident: task ${incident.task} (job ${incident.job}) failed: ${outcome.reason}; it waits for adhesive retry ${outcome.run} ${incident.node} --store ...`);
      this.settings.incidents([...this.open.values()]);
      return;
    }
    this.waiters.delete(outcome.seq);
    if (this.open.delete(outcome.seq)) this.settings.incidents([...this.open.values()]);
    if (outcome.kind === "done") waiter.resolve(outcome.changes);
    else waiter.reject(failureError(outcome.failure));
  }
}

function plainLoop(loop: LoopInfo | undefined): PlainLoop | undefined {
  if (loop === undefined) return undefined;
  return { index: loop.index, key: loop.key, value: loop.value, expression: loop.expression, parent: plainLoop(loop.parent) };
}
