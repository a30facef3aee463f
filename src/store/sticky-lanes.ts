import { LaneError, LaneLostError, type RemoteLaneInstance } from "../lanes/lanes.js";
import type { Store } from "./connection.js";
import { parseJobId } from "./job-id.js";
import { laneHolder, laneHolders, releaseLane, workerAlive } from "./lane-holders.js";
import { queueName, stickyQueueName } from "./queue-name.js";
import type { LaneCloseJob } from "./remote-outcome.js";
import type { TaskQueue } from "./task-queue.js";

export interface StickyLanesSettings {
  store: Store;
  runId: string;
  version: string;
  /** how often pending holders are looked up and holders are asked whether they live */
  checkEveryMs: number;
  /** the orchestrator's side of a queue, opened once per name */
  queue(name: string, pool: string): Promise<TaskQueue>;
  /** the instance's worker was lost: its tasks in flight fail with `error` */
  lost(instance: string, error: LaneLostError): void;
}

/* one lane instance of the run, as the orchestrator knows it */
interface Held {
  lane: string;
  /** its field in the run's holders hash: the instance's id, or the one a former owner opened (a takeover adopts it) */
  id: string;
  pool: string;
  /** the seq of the task that opens it, while that task is in flight */
  opener: number | undefined;
  worker: string | undefined;
  /** the worker, once one claimed the instance; rejects when it never opens or is lost */
  holder: Promise<string>;
  resolve(worker: string): void;
  reject(error: Error): void;
  lost: LaneLostError | undefined;
  /* told when the instance is lost (a teardown waiting on a dead worker) */
  onLost: Array<(error: Error) => void>;
}

/**
 * Where the tasks of remote lane instances go (Temporal's sticky queues):
 * the first task of an instance goes to its pool's queue; the worker that
 * takes it claims the instance in the run's holders hash (lane-holders.ts),
 * runs the lane's function and says so (the job's progress, or the hash,
 * looked up every `checkEveryMs`); the instance's other tasks wait for
 * that and go to the holder's own queue. When the instance ends, its
 * holder is told to tear it down. A holder whose alive key ran out is lost,
 * and so is each instance it held: their tasks in flight and to come fail
 * with ADHESIVE_LANE_LOST.
 */
export class StickyLanes {
  private readonly settings: StickyLanesSettings;
  private readonly entries = new Map<RemoteLaneInstance, Promise<Held>>();
  /* every instance not yet torn down, for the checks */
  private readonly active = new Set<Held>();
  private readonly openers = new Map<number, Held>();
  /* the ids this orchestrator opened or adopted: a takeover adopts only those it does not know */
  private readonly known = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;

  constructor(settings: StickyLanesSettings) {
    this.settings = settings;
  }

  /**
   * The queue of the task `seq` of the instance, and the instance's id:
   * the pool's queue when it opens the instance, else (once the instance's
   * worker is known) that worker's queue.
   */
  async route(instance: RemoteLaneInstance, pool: string, seq: number, signal: AbortSignal): Promise<{ queue: TaskQueue; id: string; opens: boolean }> {
    const held = await this.entry(instance, pool);
    if (held.lost !== undefined) throw held.lost;
    const { version } = this.settings;
    if (held.worker === undefined && (held.opener === undefined || held.opener === seq)) {
      held.opener = seq;
      this.openers.set(seq, held);
      return { queue: await this.settings.queue(queueName(pool, version), pool), id: held.id, opens: true };
    }
    const worker = await untilAborted(held.holder, signal);
    return { queue: await this.settings.queue(stickyQueueName(pool, version, worker), pool), id: held.id, opens: false };
  }

  /** Why the instance `id` is lost, if it is (a task routed just before the loss is failed after it registered). */
  lostOf(id: string): LaneLostError | undefined {
    for (const held of this.active) if (held.id === id) return held.lost;
    return undefined;
  }

  /** A job's progress: the worker that took an instance's first task claimed it. */
  progress(jobId: string, progress: unknown): void {
    const key = parseJobId(jobId);
    const worker = (progress as { laneHolder?: unknown } | null)?.laneHolder;
    if (key === undefined || key.run !== this.settings.runId || typeof worker !== "string") return;
    const held = this.openers.get(key.seq);
    if (held !== undefined) this.claimed(held, worker);
  }

  /** The instance's first task ended: its worker is in the hash, or the instance never opened (its tasks fail as it did). */
  async openerEnded(seq: number, failure: unknown): Promise<void> {
    const held = this.openers.get(seq);
    if (held === undefined) return;
    this.openers.delete(seq);
    held.opener = undefined;
    if (held.worker !== undefined || held.lost !== undefined) return;
    const worker = await laneHolder(this.settings.store, this.settings.runId, held.id).catch(() => undefined);
    if (worker !== undefined) return this.claimed(held, worker);
    held.reject(failure instanceof Error ? failure : new LaneError(held.lane, "creating the workspace failed", `its first task ended without any worker opening ${held.id}`));
  }

  /** The instance ended: its holder runs its lane function on after the yield; resolves once it did, rejects if that failed or the holder is lost. */
  async close(instance: RemoteLaneInstance): Promise<void> {
    const entry = this.entries.get(instance);
    if (entry === undefined) return;
    this.entries.delete(instance);
    const held = await entry.catch(() => undefined);
    if (held === undefined) return;
    try {
      if (held.lost !== undefined) return; // its tasks failed with the reason
      const worker = await held.holder.catch(() => undefined);
      if (worker === undefined) return; // it never opened
      const queue = await this.settings.queue(stickyQueueName(held.pool, this.settings.version, worker), held.pool);
      const job: LaneCloseJob = { run: this.settings.runId, closeLane: held.id };
      const lost = new Promise<never>((_, reject) => held.onLost.push(reject));
      lost.catch(() => undefined);
      await Promise.race([queue.call("lane-close", job, `${this.settings.runId}.close.${seqOf(held.id)}`), lost]);
    } finally {
      this.active.delete(held);
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private entry(instance: RemoteLaneInstance, pool: string): Promise<Held> {
    let entry = this.entries.get(instance);
    if (entry === undefined) {
      entry = this.adoptOrOpen(instance, pool);
      this.entries.set(instance, entry);
    }
    return entry;
  }

  /*
   * A standby that took the run over finds the instance its former owner
   * opened in the hash: the last one of the lane it did not open itself.
   * Otherwise the instance is new.
   */
  private async adoptOrOpen(instance: RemoteLaneInstance, pool: string): Promise<Held> {
    const holders = await laneHolders(this.settings.store, this.settings.runId);
    const adoptable = Object.keys(holders)
      .filter((id) => id.startsWith(`${instance.lane}#`) && /^\d+$/.test(id.slice(instance.lane.length + 1)) && !this.known.has(id))
      .sort((a, b) => seqOf(b) - seqOf(a))[0];
    const held = newHeld(instance.lane, adoptable ?? instance.id, pool);
    this.known.add(held.id);
    this.active.add(held);
    if (adoptable !== undefined) this.claimed(held, holders[adoptable]);
    if (this.timer === undefined) {
      this.timer = setInterval(() => void (this.checking ??= this.check().finally(() => (this.checking = undefined))), this.settings.checkEveryMs);
      this.timer.unref();
    }
    return held;
  }

  private claimed(held: Held, worker: string): void {
    if (held.worker !== undefined) return;
    held.worker = worker;
    held.resolve(worker);
  }

  /* pending instances: claimed meanwhile? held ones: does their worker live? */
  private async check(): Promise<void> {
    const { store, runId } = this.settings;
    const alive = new Map<string, Promise<boolean>>();
    await Promise.all(
      [...this.active].map(async (held) => {
        if (held.lost !== undefined) return;
        if (held.worker === undefined) {
          const worker = held.opener === undefined ? undefined : await laneHolder(store, runId, held.id).catch(() => undefined);
          if (worker !== undefined) this.claimed(held, worker);
          return;
        }
        const worker = held.worker;
        if (!alive.has(worker)) alive.set(worker, workerAlive(store, worker).catch(() => true));
        const lives = await alive.get(worker);
        if (!lives) this.lose(held, `its worker ${worker} stopped renewing its alive key (killed, hung, cut off or stopped)`);
      }),
    );
  }

  private lose(held: Held, reason: string): void {
    const error = new LaneLostError(held.lane, held.id, reason);
    held.lost = error;
    held.reject(error);
    for (const tell of held.onLost.splice(0)) tell(error);
    this.settings.lost(held.id, error);
    void releaseLane(this.settings.store, this.settings.runId, held.id).catch(() => undefined);
  }
}

function newHeld(lane: string, id: string, pool: string): Held {
  let resolve: (worker: string) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const holder = new Promise<string>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  // a holder nobody waits for (an instance whose only task opened it) must not be an unhandled rejection
  holder.catch(() => undefined);
  return { lane, id, pool, opener: undefined, worker: undefined, holder, resolve, reject, lost: undefined, onLost: [] };
}

function seqOf(id: string): number {
  return Number(id.slice(id.lastIndexOf("#") + 1));
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => reject(signal.reason as Error);
    signal.addEventListener("abort", abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}
