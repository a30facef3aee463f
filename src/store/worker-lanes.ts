import { closeLane, LaneLostError } from "../lanes/lanes.js";
import type { Workspace } from "../workspaces/workspace.js";
import type { Store } from "./connection.js";
import { claimLane, releaseLane } from "./lane-holders.js";
import type { LaneCloseJob, RemoteTaskJob } from "./remote-outcome.js";

/** A lane function run up to its yield (lanes.ts openLane). */
export interface OpenedLane {
  generator: AsyncGenerator<Workspace, void, unknown>;
  workspace: Workspace;
}

/* one lane instance this worker holds */
interface Hosted {
  lane: string;
  opened: Promise<OpenedLane>;
  /** the lane function's ctx.signal: fires when this worker stops */
  abort: AbortController;
}

/**
 * The lane instances a worker holds (docs/scale-out.md, "Workspaces across
 * hosts"). The worker that takes an instance's first task claims it in the
 * run's holders hash, tells the orchestrator (the job's progress) and runs
 * the lane's function up to its yield; the instance's later tasks come to
 * this worker's own queue and get the same workspace; a close job resumes
 * the function after its yield (its finally runs here) and gives the claim
 * up.
 */
export class WorkerLanes {
  readonly workerId: string;
  private readonly store: Store;
  private readonly keepS: number;
  private readonly instances = new Map<string, Hosted>();
  private emptied: Array<() => void> = [];

  constructor(store: Store, workerId: string, keepS: number) {
    this.store = store;
    this.workerId = workerId;
    this.keepS = keepS;
  }

  /**
   * The workspace of the job's lane instance: opened here when the job
   * opens it (it came from the pool's queue), else the one this worker
   * holds. `open` runs the lane function with a ctx.signal that fires when
   * this worker stops.
   */
  async workspaceFor(job: RemoteTaskJob & { laneInstance: string }, opens: boolean, report: (progress: object) => Promise<void>, open: (signal: AbortSignal) => Promise<OpenedLane>): Promise<Workspace> {
    const key = keyOf(job.run, job.laneInstance);
    let hosted = this.instances.get(key);
    if (hosted === undefined) {
      const lane = job.lane ?? job.laneInstance;
      if (!opens) throw new LaneLostError(lane, job.laneInstance, `this worker (${this.workerId}) does not hold it (it was restarted, or stopped it)`);
      const abort = new AbortController();
      const opened = (async () => {
        const holder = await claimLane(this.store, job.run, job.laneInstance, this.workerId, this.keepS);
        if (holder !== this.workerId) throw new LaneLostError(lane, job.laneInstance, `worker ${holder} opened it, and its first task came here after that worker stalled`);
        await report({ laneHolder: this.workerId });
        return open(abort.signal);
      })();
      // the instance's other tasks, sent here once it is claimed, fail as its first one did when it does not open
      opened.catch(() => undefined);
      hosted = { lane, opened, abort };
      this.instances.set(key, hosted);
    }
    return (await hosted.opened).workspace;
  }

  /** Tears the instance down (its lane function goes on after its yield) and gives its claim up. */
  async close(job: LaneCloseJob): Promise<void> {
    const key = keyOf(job.run, job.closeLane);
    const hosted = this.instances.get(key);
    if (hosted === undefined) return; // closed before: a close job seen twice
    this.instances.delete(key);
    try {
      const { generator } = await hosted.opened.catch(() => ({ generator: undefined }));
      if (generator !== undefined) await closeLane(hosted.lane, generator);
    } finally {
      await releaseLane(this.store, job.run, job.closeLane).catch(() => undefined);
      if (this.instances.size === 0) for (const resolve of this.emptied.splice(0)) resolve();
    }
  }

  /** How many lane instances this worker holds. */
  get held(): number {
    return this.instances.size;
  }

  /** Resolves once this worker holds no lane instance (each was closed and torn down). */
  whenEmpty(): Promise<void> {
    if (this.instances.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptied.push(resolve));
  }

  /** This worker stops: every instance it holds is torn down (their orchestrators see the worker gone and fail them). */
  async closeAll(): Promise<void> {
    const open = [...this.instances.entries()];
    for (const [, hosted] of open) hosted.abort.abort(new Error(`worker ${this.workerId} is stopping`));
    await Promise.all(
      open.map(([key]) => {
        const [run, closeLane] = splitKey(key);
        return this.close({ run, closeLane }).catch(() => undefined);
      }),
    );
  }
}

/* run ids hold no spaces (src/runs/places.ts) */
function keyOf(run: string, instance: string): string {
  return `${run} ${instance}`;
}

function splitKey(key: string): [string, string] {
  const space = key.indexOf(" ");
  return [key.slice(0, space), key.slice(space + 1)];
}
