import type { LaneFunction } from "../api/types.js";
import { UsageError } from "../errors.js";
import { isPoolName } from "../store/queue-name.js";

const POOL = Symbol("adhesive.remotePool");

/**
 * `lane("GPU", remote("gpu"))`: the tasks of the lanes this matches run on
 * the `adhesive worker`s of pool `gpu`, as the `pools` setting says for
 * lane patterns. It takes a store (--store, the store key;
 * docs/scale-out.md): without one, a task of the lane fails, naming the pool.
 */
export function remote(pool: string): LaneFunction {
  if (!isPoolName(pool)) throw new UsageError(`remote("${pool}"): a pool name may only hold letters, digits, - and _`);
  // the lane function a run without a store calls: its tasks cannot run anywhere
  const lane = async function* (): AsyncGenerator<never, void, unknown> {
    throw new UsageError(`this lane's tasks run on the adhesive workers of pool "${pool}" (remote("${pool}")), which takes a store: run with --store <redis://...> or set the store key (docs/scale-out.md)`);
  };
  return Object.assign(lane, { [POOL]: pool });
}

/** The pool of a lane function made by remote(), if it is one. */
export function remotePoolOf(fn: unknown): string | undefined {
  return typeof fn === "function" ? (fn as { [POOL]?: string })[POOL] : undefined;
}
