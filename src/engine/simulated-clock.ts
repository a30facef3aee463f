import type { Clock } from "./clock.js";

interface Pending {
  id: number;
  due: number;
  fire: (arg: never) => void;
  arg: unknown;
}

/**
 * A clock that only moves when told to, so processes with timers are tested
 * without waiting: `await clock.advance(30_000)` fires every timer due in the
 * next 30 s in order, letting the run react between firings.
 */
export class SimulatedClock implements Clock {
  private time: number;
  private nextId = 1;
  private pending: Pending[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  /** the simulated time, in milliseconds since the epoch: it moves only with advance() */
  now(): number {
    return this.time;
  }

  setTimer<T>(ms: number, fire: (arg: T) => void, arg: T): unknown {
    const timer: Pending = { id: this.nextId++, due: this.time + Math.max(0, ms), fire: fire as (arg: never) => void, arg };
    this.pending.push(timer);
    return timer.id;
  }

  /** cancels a timer setTimer armed */
  clearTimer(handle: unknown): void {
    this.pending = this.pending.filter((timer) => timer.id !== handle);
  }

  /** timers waiting to fire */
  get size(): number {
    return this.pending.length;
  }

  /** Moves time forward by `ms`, firing due timers one at a time (earliest first) and settling the run after each. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (let timer = this.earliest(target); timer !== undefined; timer = this.earliest(target)) {
      this.pending = this.pending.filter((t) => t !== timer);
      this.time = Math.max(this.time, timer.due);
      (timer.fire as (arg: unknown) => void)(timer.arg);
      await settle();
    }
    this.time = target;
  }

  private earliest(limit: number): Pending | undefined {
    let best: Pending | undefined;
    for (const timer of this.pending) if (timer.due <= limit && (best === undefined || timer.due < best.due)) best = timer;
    return best;
  }
}

/* Lets promise chains and I/O callbacks started by a firing run before the next one. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
