import { int32s, type Column } from "./columns.js";

/*
 * What a run's page asks about each element, kept as the journal is read
 * (journal-view.ts) so that no request walks the whole timeline again: its
 * task executions by outcome, its failures and caught errors that no task
 * record holds, the timeline positions of its entries (all of them, and
 * those of no task), and the run's latest failures. A run of 100k message
 * events has over a million entries; a request costs what it sends.
 */

/** How a task execution stands, as the columns number it. */
export const OUTCOME = { running: 0, done: 1, failed: 2, caught: 3 } as const;

/** The latest failures (and caught errors) the diagram's summary lists. */
export const RECENT_FAILURES = 200;

export interface ElementCounts {
  completed: number;
  failed: number;
  caught: number;
  running: number;
}

export class ElementTally {
  /* per element number: task executions by outcome (OUTCOME's order), then failures and caught errors without a task */
  private outcomes: Array<Int32Array<ArrayBuffer>> = [];
  private entries: Array<Column<Int32Array<ArrayBuffer>>> = [];
  private others: Array<Column<Int32Array<ArrayBuffer>>> = [];
  /* a ring of the timeline positions of the latest failed and caught entries */
  private recent = new Int32Array(RECENT_FAILURES);
  private recentCount = 0;

  /** A timeline entry at `position` about element `element`; `task`: a task record's. */
  entry(element: number, position: number, task: boolean): void {
    this.grow(element);
    this.entries[element].push(position);
    if (!task) this.others[element].push(position);
  }

  /** A failed or caught entry at `position`; `task`: a task execution's (counted by its outcome), else the element's own. */
  failure(element: number, position: number, caught: boolean, task: boolean): void {
    this.recent[this.recentCount++ % RECENT_FAILURES] = position;
    if (!task) this.outcomes[element][caught ? 5 : 4]++;
  }

  /** A task execution of `element` went from `from` (-1: it is new) to `to` (OUTCOME). */
  outcome(element: number, from: number, to: number): void {
    this.grow(element);
    const counts = this.outcomes[element];
    if (from >= 0) counts[from]--;
    counts[to]++;
  }

  /** Per element number that has any: its counts; running executions count only while the run runs. */
  counts(running: boolean): Map<number, ElementCounts> {
    const found = new Map<number, ElementCounts>();
    for (let element = 0; element < this.outcomes.length; element++) {
      const c = this.outcomes[element];
      if (c[0] + c[1] + c[2] + c[3] + c[4] + c[5] === 0) continue;
      found.set(element, { completed: c[OUTCOME.done], failed: c[OUTCOME.failed] + c[4], caught: c[OUTCOME.caught] + c[5], running: running ? c[OUTCOME.running] : 0 });
    }
    return found;
  }

  /** How many task executions `element` has. */
  executions(element: number): number {
    const c = this.outcomes[element];
    return c === undefined ? 0 : c[0] + c[1] + c[2] + c[3];
  }

  /** The positions of `element`'s entries (only those of no task with `others`), in journal order. */
  positions(element: number, others = false): Column<Int32Array<ArrayBuffer>> | undefined {
    return (others ? this.others : this.entries)[element];
  }

  /** How many entries each element number has. */
  entryCounts(): number[] {
    return this.entries.map((column) => column.length);
  }

  /** The positions of the latest failed and caught entries, oldest first. */
  recentFailures(): number[] {
    const n = Math.min(this.recentCount, RECENT_FAILURES);
    const found: number[] = [];
    for (let k = this.recentCount - n; k < this.recentCount; k++) found.push(this.recent[k % RECENT_FAILURES]);
    return found;
  }

  private grow(element: number): void {
    while (this.outcomes.length <= element) {
      this.outcomes.push(new Int32Array(6));
      this.entries.push(int32s(64));
      this.others.push(int32s(16));
    }
  }
}
