/**
 * Time as the engine sees it. Injected so timer tests run on a simulated
 * clock instead of waiting (see test/engine/timers.test.ts).
 */
export interface Clock {
  /** milliseconds since the epoch, as Date.now() */
  now(): number;
  /** calls `fire(arg)` after `ms`; returns a handle for clearTimer */
  setTimer<T>(ms: number, fire: (arg: T) => void, arg: T): unknown;
  /** cancels a timer setTimer armed (a handle of one that fired already is ignored) */
  clearTimer(handle: unknown): void;
}

/* setTimeout fires at once for delays above 2^31-1 ms; longer waits are re-armed by the caller. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (ms, fire, arg) => setTimeout(fire, Math.min(Math.max(ms, 0), MAX_TIMER_MS), arg),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
