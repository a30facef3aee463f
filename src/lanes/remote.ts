import type { LaneFunction } from "../api/types.js";
import { UsageError } from "../errors.js";
import { isPoolName } from "../store/queue-name.js";

const POOL = Symbol("adhesive.remotePool");
const ON_WORKER = Symbol("adhesive.remoteLaneFunction");

type RemoteLane = LaneFunction & { [POOL]?: string; [ON_WORKER]?: LaneFunction };

/**
 * `lane("GPU", remote("gpu"))`: the tasks of the lanes this matches run on
 * the `adhesive worker`s of pool `gpu`, as the `pools` setting says for
 * lane patterns. It takes a store (--store, the store key;
 * docs/scale-out.md): without one, a task of the lane fails, naming the pool.
 *
 * `remote("build", async function* (ctx) { ... })`: the lane function runs
 * on the worker that takes the lane instance's first task, and every task
 * of that instance runs on that worker in the workspace it yields (as a
 * lane function matched by a `pools` pattern does).
 */
export function remote(pool: string, onWorker?: LaneFunction): LaneFunction {
  if (!isPoolName(pool)) throw new UsageError(`remote("${pool}"): a pool name may only hold letters, digits, - and _`);
  if (onWorker !== undefined && typeof onWorker !== "function") throw new UsageError(`remote("${pool}", fn): fn must be a lane function (async function* (ctx) { yield workspace })`);
  // the lane function a run without a store calls: its tasks cannot run anywhere
  const lane = async function* (): AsyncGenerator<never, void, unknown> {
    throw new UsageError(`this lane's tasks run on the adhesive workers of pool "${pool}" (remote("${pool}")), which takes a store: run with --store <redis://...> or set the store key (docs/scale-out.md)`);
  };
  return Object.assign(lane, { [POOL]: pool, [ON_WORKER]: onWorker });
}

/** The pool of a lane function made by remote(), if it is one. */
export function remotePoolOf(fn: unknown): string | undefined {
  return typeof fn === "function" ? (fn as RemoteLane)[POOL] : undefined;
}

/**
 * The function a worker runs for a lane whose tasks it runs: the one given
 * to remote(pool, fn), or a plain lane function (its lane is mapped to a
 * pool by the `pools` setting); none for a bare remote(pool).
 */
export function workerLaneFunction(fn: unknown): LaneFunction | undefined {
  if (typeof fn !== "function") return undefined;
  return POOL in fn ? (fn as RemoteLane)[ON_WORKER] : (fn as LaneFunction);
}
