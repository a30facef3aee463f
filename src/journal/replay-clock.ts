import type { Clock } from "../engine/clock.js";

interface Timer {
  due: number;
  fire: (arg: never) => void;
  arg: unknown;
  real: unknown;
}

/**
 * The clock while a run is rebuilt from its journal: its time is that of
 * the input being replayed, so timers armed during the replay get the due
 * times they had, and nothing fires. Once live, it is the real clock, and
 * the timers armed during the replay are set on it: one that fell due while
 * the run was down fires at once (and only once: a cycle goes on from now).
 */
export class ReplayClock implements Clock {
  private readonly real: Clock;
  private time: number;
  private live = false;
  private readonly waiting = new Set<Timer>();

  constructor(real: Clock, start: number) {
    this.real = real;
    this.time = start;
  }

  set(at: number): void {
    this.time = at;
  }

  now(): number {
    return this.live ? this.real.now() : this.time;
  }

  setTimer<T>(ms: number, fire: (arg: T) => void, arg: T): unknown {
    const timer: Timer = { due: this.now() + ms, fire: fire as (arg: never) => void, arg, real: undefined };
    if (this.live) timer.real = this.real.setTimer(ms, fire, arg);
    else this.waiting.add(timer);
    return timer;
  }

  clearTimer(handle: unknown): void {
    const timer = handle as Timer;
    if (timer.real !== undefined) this.real.clearTimer(timer.real);
    this.waiting.delete(timer);
  }

  goLive(): void {
    this.live = true;
    for (const timer of this.waiting) timer.real = this.real.setTimer(timer.due - this.real.now(), timer.fire, timer.arg as never);
    this.waiting.clear();
  }
}
