import type { Frame } from "./frame.js";

/**
 * The instances message events start (one frame each, beside the root) and
 * the sources that may start more: the run ends only when none is open and
 * none runs. Sources are held back while `limit` instances are in flight
 * (whenBelow), counting emitted events not yet applied, or a fast source
 * would fill the engine's inbox instead.
 */
export class Instances {
  readonly frames = new Set<Frame>();
  /** sources that may still emit (message() generators and callbacks of start events) */
  openSources = 0;
  /** emitted events waiting in the inbox */
  waitingEmits = 0;
  /** the instances message events started so far: the last instance number (checkpoint.ts) */
  numbered = 0;
  private waiters: Array<() => void> = [];

  get inFlight(): number {
    return this.frames.size + this.waitingEmits;
  }

  /** Resolves once fewer than `limit` instances are in flight; undefined when that is already so. */
  whenBelow(limit: number): Promise<void> | undefined {
    if (this.inFlight < limit) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** An instance ended (or the run did): sources waiting for room go on. */
  wake(): void {
    const waiters = this.waiters;
    if (waiters.length === 0) return;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
