import { availableParallelism } from "node:os";

/*
 * Tasks on the event loop ("async") mostly wait: for a command, a container,
 * a request. One thread runs them all, so a limit of the CPU count only made
 * commands queue (three parallel builds ran two at a time on two cores); the
 * limit is still there to bound what runs at once. 32 is what Zeebe's job
 * workers keep active by default (maxJobsActive). Worker threads run
 * CPU-bound functions: one per core.
 */
const ASYNC_POOL_SIZE = 32;

/** How many tasks run at once when pool_size / poolSize is not set. */
export function defaultPoolSize(parallelProcessing: "async" | "worker" | undefined): number {
  const cores = availableParallelism();
  return parallelProcessing === "worker" ? cores : Math.max(ASYNC_POOL_SIZE, cores);
}
