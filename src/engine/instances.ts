import type { Frame } from "./frame.js";

/**
 * The instances message events start (one frame each, beside the root) and
 * the sources that may start more: the run ends only when none is open and
 * none runs. Sources are held back while `limit` instances are in flight
 * (whenBelow), counting emitted events not yet applied, or a fast source
 * would fill the engine's inbox instead.
 */
export class Instances {
  readonly frames = new InstanceFrames();
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

/**
 * The frames of the instances in flight, in the order they started: what a
 * Set of them would be, as a list through the frames. One instance starts
 * and ends per message event, and a Set's table keeps the slots of deleted
 * entries until it is rebuilt, which adding and deleting one entry after
 * another does every few events (a new table each time).
 */
export class InstanceFrames implements Iterable<Frame> {
  private first: Frame | undefined = undefined;
  private last: Frame | undefined = undefined;
  size = 0;

  add(frame: Frame): void {
    if (this.has(frame)) return;
    frame.prevInstance = this.last;
    frame.nextInstance = undefined;
    if (this.last === undefined) this.first = frame;
    else this.last.nextInstance = frame;
    this.last = frame;
    this.size++;
  }

  has(frame: Frame): boolean {
    return frame.prevInstance !== undefined || this.first === frame;
  }

  delete(frame: Frame): boolean {
    if (!this.has(frame)) return false;
    const { prevInstance: prev, nextInstance: next } = frame;
    if (prev === undefined) this.first = next;
    else prev.nextInstance = next;
    if (next === undefined) this.last = prev;
    else next.prevInstance = prev;
    frame.prevInstance = frame.nextInstance = undefined;
    this.size--;
    return true;
  }

  clear(): void {
    while (this.first !== undefined) this.delete(this.first);
  }

  /* like a Set's: the frame after the current one is found after it was handed out, so deleting the current one does not end the walk (deleting it and the next one in the same step would: no caller does) */
  *[Symbol.iterator](): Iterator<Frame> {
    for (let frame = this.first; frame !== undefined; ) {
      const next = frame.nextInstance;
      yield frame;
      frame = this.has(frame) ? frame.nextInstance : next;
    }
  }
}
