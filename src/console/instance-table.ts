import type { RunState } from "../journal/records.js";
import { float64s, int32s } from "./columns.js";

/*
 * The message instances of a run as its journal tells them: each message
 * event that started one ("em", numbered by the engine in the order it took
 * them), the tasks that ran in it (their "s" records name it) and its end
 * ("ie"). Kept in columns, a few numbers per instance, as the timeline is
 * (journal-view.ts): a run of 100k message events has 100k of them.
 */

/**
 * How an instance stands: running (a task of it runs), waiting (none runs:
 * it waits for a message, a timer or an answer), done (its tokens all
 * reached an end), failed (a task, gateway, loop or event of it failed and
 * nothing caught it),
 * cancelled (the run failed or was cancelled around it), interrupted (the
 * run stopped and can be resumed).
 */
export type InstanceState = "running" | "waiting" | "done" | "failed" | "cancelled" | "interrupted";
export const INSTANCE_STATES: readonly InstanceState[] = ["running", "waiting", "done", "failed", "cancelled", "interrupted"];

/** What a task execution's outcome counts for in its instance. */
export type TaskOutcome = "running" | "done" | "failed" | "caught";

export interface InstanceRow {
  number: number;
  /** its message start event (an element number of the view) */
  element: number;
  startedAt: number;
  /** its last entry's time */
  lastAt: number;
  endedAt: number | undefined;
  /** its entries: the first (the message that started it) and the last, as timeline positions */
  first: number;
  last: number;
  tasks: number;
  running: number;
  failed: number;
  caught: number;
}

/* how an instance stands whatever the run does: ended, failed, with a task running, or none (the run's state says the rest) */
const ENDED = 0;
const FAILED = 1;
const RUNNING = 2;
const IDLE = 3;

export class InstanceTable {
  /* the number of the first instance this journal holds (a journal that starts from a snapshot holds the later ones) */
  private base = -1;
  private readonly element = int32s();
  private readonly startedAt = float64s();
  private readonly lastAt = float64s();
  private readonly endedAt = float64s();
  private readonly first = int32s();
  private readonly last = int32s();
  private readonly tasks = int32s();
  private readonly running = int32s();
  private readonly failed = int32s();
  private readonly caught = int32s();
  /** the highest instance number seen */
  highest = 0;
  /* how many instances stand each way (ENDED, FAILED, RUNNING, IDLE), kept as they change: a page of 100k instances counts none again */
  private standing = [0, 0, 0, 0];
  /** How many instances the journal started. */
  size = 0;

  /** The numbers of the instances, in the order they started (their numbers' order). */
  *numbers(): Generator<number> {
    for (let i = 0; i < this.element.length; i++) if (this.element.get(i) >= 0) yield i + this.base;
  }

  has(n: number): boolean {
    const i = n - this.base;
    return this.base >= 0 && i >= 0 && i < this.element.length && this.element.get(i) >= 0;
  }

  /** A message event started instance `n` at start event `element`; `position`: its timeline entry. */
  started(n: number, element: number, at: number, position: number): void {
    if (this.base < 0) this.base = n;
    const i = n - this.base;
    if (i < 0) return;
    if (this.has(n)) this.standing[this.standingOf(i)]--;
    else this.size++;
    this.highest = Math.max(this.highest, n);
    this.element.set(i, element, -1);
    this.startedAt.set(i, at);
    this.lastAt.set(i, at);
    this.endedAt.set(i, Number.NaN, Number.NaN);
    this.first.set(i, position);
    this.last.set(i, position);
    this.tasks.set(i, 0);
    this.running.set(i, 0);
    this.failed.set(i, 0);
    this.caught.set(i, 0);
    this.standing[IDLE]++;
  }

  /** An entry of instance `n` at timeline position `position` (one per entry of every instance: kept cheap). */
  touched(n: number, at: number, position: number): void {
    if (!this.has(n)) return;
    const i = n - this.base;
    this.lastAt.put(i, at);
    this.last.put(i, position);
  }

  /** A task execution of instance `n` went from `from` (undefined: it is new) to `to`. */
  outcome(n: number, from: TaskOutcome | undefined, to: TaskOutcome): void {
    if (!this.has(n)) return;
    const i = n - this.base;
    const before = this.standingOf(i);
    if (from === undefined) this.tasks.put(i, this.tasks.get(i) + 1);
    else this.count(i, from, -1);
    this.count(i, to, 1);
    this.moved(i, before);
  }

  /** A gateway, loop or event of instance `n` failed the run (it has no task execution to count it). */
  failedHere(n: number): void {
    if (!this.has(n)) return;
    const i = n - this.base;
    const before = this.standingOf(i);
    this.failed.put(i, this.failed.get(i) + 1);
    this.moved(i, before);
  }

  /** An error boundary (or event sub-process) caught an error of a gateway, loop or event of instance `n`. */
  caughtHere(n: number): void {
    if (this.has(n)) this.caught.put(n - this.base, this.caught.get(n - this.base) + 1);
  }

  ended(n: number, at: number, position: number): void {
    if (!this.has(n)) return;
    const before = this.standingOf(n - this.base);
    this.endedAt.set(n - this.base, at);
    this.moved(n - this.base, before);
    this.touched(n, at, position);
  }

  row(n: number): InstanceRow | undefined {
    if (!this.has(n)) return undefined;
    const i = n - this.base;
    const ended = this.endedAt.get(i);
    return {
      number: n,
      element: this.element.get(i),
      startedAt: this.startedAt.get(i),
      lastAt: this.lastAt.get(i),
      endedAt: Number.isNaN(ended) ? undefined : ended,
      first: this.first.get(i),
      last: this.last.get(i),
      tasks: this.tasks.get(i),
      running: this.running.get(i),
      failed: this.failed.get(i),
      caught: this.caught.get(i),
    };
  }

  /** How instance `n` stands in a run that is in `run` state. */
  state(n: number, run: RunState): InstanceState {
    return stateOf(this.standingOf(n - this.base), run);
  }

  /** How many instances are in each state, in a run that is in `run` state. */
  states(run: RunState): Partial<Record<InstanceState, number>> {
    const states: Partial<Record<InstanceState, number>> = {};
    this.standing.forEach((count, standing) => {
      if (count === 0) return;
      const state = stateOf(standing, run);
      states[state] = (states[state] ?? 0) + count;
    });
    return states;
  }

  /** The `k`th instance (from 0) in number order. */
  numberAt(k: number): number | undefined {
    // numbers have no gaps but in a journal that did not number them, or one that starts from a snapshot
    if (this.size === this.element.length) return k < this.size ? k + this.base : undefined;
    for (const n of this.numbers()) if (k-- === 0) return n;
    return undefined;
  }

  private standingOf(i: number): number {
    if (!Number.isNaN(this.endedAt.get(i))) return ENDED;
    if (this.failed.get(i) > 0) return FAILED;
    return this.running.get(i) > 0 ? RUNNING : IDLE;
  }

  private moved(i: number, before: number): void {
    this.standing[before]--;
    this.standing[this.standingOf(i)]++;
  }

  private count(i: number, outcome: TaskOutcome, by: number): void {
    const column = outcome === "running" ? this.running : outcome === "failed" ? this.failed : outcome === "caught" ? this.caught : undefined;
    column?.put(i, column.get(i) + by);
  }
}

/* an instance that did not end when the run stopped was stopped with it; a journal written before instances ended in it ("ie") has a done run's instances done */
function stateOf(standing: number, run: RunState): InstanceState {
  if (standing === ENDED) return "done";
  if (standing === FAILED) return "failed";
  if (run === "running") return standing === RUNNING ? "running" : "waiting";
  if (run === "done") return "done";
  return run === "interrupted" ? "interrupted" : "cancelled";
}
