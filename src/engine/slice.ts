import type { Clock } from "./clock.js";

/** Runs `fn` on a later turn of the event loop (default setImmediate). */
export type Schedule = (fn: () => void) => void;

export const nextTurn: Schedule = (fn) => setImmediate(fn);

/* Long enough that the engine's own cost stays invisible, short enough that Ctrl-C is answered at once. */
const SLICE_MS = 20;
/* The clock is read once per this many steps. */
const CHECK_EVERY = 64;
/* A simulated clock does not move while the engine works: count steps as well. */
const SLICE_STEPS = 1 << 20;

/**
 * How long the engine has kept the event loop busy. Node runs signal
 * handlers, timers and I/O only between turns, and promise callbacks never
 * leave a turn: an endless cycle of synchronous tasks, or of tasks that
 * return resolved promises, would hold the process forever (Ctrl-C
 * ignored). A slice starts with the engine's first work in a turn; a
 * scheduled callback marks the next turn. Once a slice is over its budget,
 * the engine stops and goes on in the next turn.
 */
export class Slice {
  private readonly clock: Clock;
  private readonly schedule: Schedule;
  /** a replay applies inputs back to back and must find the engine idle after each: it never pauses */
  suspended = false;
  private start = -1;
  private steps = 0;
  /** the step count at which the clock is read next */
  private nextCheck = CHECK_EVERY;
  private readonly endSlice = (): void => {
    this.start = -1;
  };

  constructor(clock: Clock, schedule: Schedule) {
    this.clock = clock;
    this.schedule = schedule;
  }

  /** Counts one step of work; true when the engine must let the event loop have a turn. */
  step(): boolean {
    if (this.suspended) return false;
    if (this.start < 0) {
      this.start = this.clock.now();
      this.steps = 0;
      this.nextCheck = CHECK_EVERY;
      this.schedule(this.endSlice);
      return false;
    }
    // reading the clock every step would cost more than a step
    if (++this.steps < this.nextCheck) return false;
    this.nextCheck = this.steps + CHECK_EVERY;
    return this.steps >= SLICE_STEPS || this.clock.now() - this.start >= SLICE_MS;
  }

  /**
   * Counts `steps` steps of work done without a step() each (express.ts:
   * what a fan-out block's instance skips of the token queue counts as the
   * queue's steps would): the clock is read at the next step() once they
   * add up.
   */
  count(steps: number): void {
    if (this.start >= 0) this.steps += steps;
  }

  /** Runs `fn` in the next turn, after the current slice has ended. */
  later(fn: () => void): void {
    this.schedule(fn);
  }
}
