/**
 * When each running task of a run started, by token id (a token runs one
 * task at a time), with what its owner wants to show of it. A hash table in
 * typed arrays (linear probing, backward-shift deletion): a task costs a few
 * array writes. A Map of numbers boxed every start time, and a map keyed by
 * the task's context kept the context and all it reaches alive through the
 * young generation's collections: the CLI spent more time collecting
 * garbage than running the engine.
 */
export class StartTimes<T = undefined> {
  /* token ids, EMPTY where a slot is free */
  private ids = new Float64Array(MIN_SLOTS).fill(EMPTY);
  private times = new Float64Array(MIN_SLOTS);
  private shown: Array<T | undefined> = new Array<T | undefined>(MIN_SLOTS).fill(undefined);
  private bits = Math.log2(MIN_SLOTS);
  private count = 0;

  get size(): number {
    return this.count;
  }

  set(id: number, at: number, shown?: T): void {
    if ((this.count + 1) * 2 > this.ids.length) this.grow();
    const mask = this.ids.length - 1;
    let slot = this.home(id);
    while (this.ids[slot] !== EMPTY && this.ids[slot] !== id) slot = (slot + 1) & mask;
    if (this.ids[slot] === EMPTY) this.count++;
    this.ids[slot] = id;
    this.times[slot] = at;
    this.shown[slot] = shown;
  }

  /** The start time of `id`, which is forgotten; undefined if it was never set. */
  take(id: number): number | undefined {
    const { ids, times, shown } = this;
    const mask = ids.length - 1;
    let slot = this.home(id);
    while (ids[slot] !== id) {
      if (ids[slot] === EMPTY) return undefined;
      slot = (slot + 1) & mask;
    }
    const at = times[slot];
    this.count--;
    // the entries after it in its run move back, so that a lookup never stops at a gap before them
    let gap = slot;
    for (let next = (slot + 1) & mask; ids[next] !== EMPTY; next = (next + 1) & mask) {
      // `next` may fill the gap unless its home slot lies after the gap, up to `next` (cyclically)
      if (((next - this.home(ids[next])) & mask) >= ((next - gap) & mask)) {
        ids[gap] = ids[next];
        times[gap] = times[next];
        shown[gap] = shown[next];
        gap = next;
      }
    }
    ids[gap] = EMPTY;
    shown[gap] = undefined;
    return at;
  }

  /** The `n` that started first, oldest first: a scan of the table, for a status line, not for every task. */
  oldest(n: number): Array<{ started: number; shown: T | undefined }> {
    const found: Array<{ started: number; shown: T | undefined }> = [];
    for (let slot = 0; slot < this.ids.length; slot++) {
      if (this.ids[slot] === EMPTY || (found.length === n && this.times[slot] >= found[n - 1].started)) continue;
      if (found.length === n) found.pop();
      let at = found.length;
      while (at > 0 && found[at - 1].started > this.times[slot]) at--;
      found.splice(at, 0, { started: this.times[slot], shown: this.shown[slot] });
    }
    return found;
  }

  /*
   * Fibonacci hashing: running tasks' token ids are mostly consecutive, and in their own slots they would form one run
   * that every deletion walks to its end
   */
  private home(id: number): number {
    return Math.imul(id, 0x9e3779b1) >>> (32 - this.bits);
  }

  private grow(): void {
    const { ids, times, shown } = this;
    this.ids = new Float64Array(ids.length * 2).fill(EMPTY);
    this.times = new Float64Array(ids.length * 2);
    this.shown = new Array<T | undefined>(ids.length * 2).fill(undefined);
    this.bits++;
    this.count = 0;
    for (let i = 0; i < ids.length; i++) if (ids[i] !== EMPTY) this.set(ids[i], times[i], shown[i]);
  }
}

const EMPTY = -1;
const MIN_SLOTS = 64;
