/**
 * One clock for a differential run, so both engines see the same schedule.
 *
 * Every task takes a fixed virtual duration and every timer waits its
 * virtual delay; nothing happens in real time. The driver lets the engine
 * settle (run until it only waits for this clock), then fires the earliest
 * pending event, and again, until the run ends or nothing is pending. Events
 * due at the same time fire one at a time in a fixed order (time, then the
 * key the caller gave, then the order they were scheduled), with the engine
 * settling between them, so which of two concurrent branches gets somewhere
 * first never depends on how an engine orders its own work.
 */
export interface Pending {
  readonly due: number;
  readonly key: string;
  readonly seq: number;
  readonly fire: () => void;
}

export type DriveEnd = "finished" | "idle" | "budget";

/** Turns of the event loop an engine may take to settle after one event; more is a loop that never waits for the clock. */
export const SETTLE_TURNS = 200;

export class VirtualTime {
  now = 0;
  /** events fired so far (the driver's budget counts them) */
  fired = 0;
  /** bumped by every schedule and cancel: the driver's sign that the engine still moves */
  activity = 0;
  private seq = 0;
  private pending: Pending[] = [];

  schedule(delay: number, key: string, fire: () => void): Pending {
    const event: Pending = { due: this.now + Math.max(0, delay), key, seq: this.seq++, fire };
    this.pending.push(event);
    this.activity++;
    return event;
  }

  cancel(event: Pending | undefined): void {
    if (event === undefined) return;
    const at = this.pending.indexOf(event);
    if (at >= 0) this.pending.splice(at, 1);
    this.activity++;
  }

  get size(): number {
    return this.pending.length;
  }

  /**
   * Fires events until `finished()` holds, nothing is pending once the
   * engine has settled ("idle": the run waits for something that will not
   * come), or `budget` events have fired (a loop that does not end).
   */
  async drive(settle: () => Promise<boolean>, finished: () => boolean, budget: number): Promise<DriveEnd> {
    for (;;) {
      const quiet = await settle();
      if (finished()) return "finished";
      if (!quiet) return "budget";
      const next = this.earliest();
      if (next === undefined) return "idle";
      if (this.fired >= budget) return "budget";
      this.pending.splice(this.pending.indexOf(next), 1);
      this.now = Math.max(this.now, next.due);
      this.fired++;
      this.activity++;
      next.fire();
    }
  }

  private earliest(): Pending | undefined {
    let best: Pending | undefined;
    for (const event of this.pending) if (best === undefined || before(event, best)) best = event;
    return best;
  }
}

function before(a: Pending, b: Pending): boolean {
  if (a.due !== b.due) return a.due < b.due;
  if (a.key !== b.key) return a.key < b.key;
  return a.seq < b.seq;
}

/** Turns of the event loop until `activity()` stops changing for `quiet` turns in a row; false if it never does within SETTLE_TURNS. */
export async function settleBy(activity: () => number, quiet = 3): Promise<boolean> {
  let still = 0;
  let last = activity();
  for (let turn = 0; still < quiet; turn++) {
    if (turn >= SETTLE_TURNS) return false;
    await new Promise<void>((resolve) => setImmediate(resolve));
    const now = activity();
    if (now === last) still++;
    else {
      still = 0;
      last = now;
    }
  }
  return true;
}
