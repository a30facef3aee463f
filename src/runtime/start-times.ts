/**
 * When each running task of a run started, by token id (a token runs one
 * task at a time), with what its owner wants to show of it. The engine
 * hands out token ids one after another, so running tasks' ids are close
 * together: a ring of slots indexed by the id's low bits holds nearly all
 * of them, and a task costs a few writes to neighbouring slots. A slot
 * still held by a task that has run while `slots` more tokens were made
 * sends the newcomer to a Map; when that Map grows, so does the ring. A Map
 * of every start time boxed each number, and a map keyed by the task's
 * context kept the context and all it reaches alive through the young
 * generation's collections: the CLI spent more time collecting garbage
 * than running the engine.
 */
export class StartTimes<T = undefined> {
  /* per slot: the token id (FREE where it holds none) and its start time, side by side: with thousands of tasks running a task's
     set and take each touch one cache line, where an array of ids and one of times missed the cache twice */
  private slots: Float64Array;
  /* what owners show of their tasks, per slot; made once one is given: without names a task never touches it */
  private shown: Array<T | undefined> | undefined;
  private readonly others = new Map<number, { at: number; shown: T | undefined }>();
  private count = 0;

  /** `slots`: the ring's first size, a power of two */
  constructor(slots = 1024) {
    this.slots = free(slots);
  }

  get size(): number {
    return this.count;
  }

  set(id: number, at: number, shown?: T): void {
    const slots = this.slots;
    const slot = (id & ((slots.length >> 1) - 1)) << 1;
    const held = slots[slot];
    if (held !== FREE && held !== id) {
      if (this.others.size * 16 < slots.length) {
        if (!this.others.has(id)) this.count++;
        this.others.set(id, { at, shown });
        return;
      }
      this.grow();
      this.set(id, at, shown);
      return;
    }
    if (held === FREE) this.count++;
    slots[slot] = id;
    slots[slot + 1] = at;
    if (shown !== undefined) this.shown ??= new Array<T | undefined>(slots.length >> 1).fill(undefined);
    if (this.shown !== undefined) this.shown[slot >> 1] = shown;
  }

  /** The start time of `id`, which is forgotten; undefined if it was never set. */
  take(id: number): number | undefined {
    const slots = this.slots;
    const slot = (id & ((slots.length >> 1) - 1)) << 1;
    if (slots[slot] === id) {
      slots[slot] = FREE;
      if (this.shown !== undefined) this.shown[slot >> 1] = undefined;
      this.count--;
      return slots[slot + 1];
    }
    if (this.others.size === 0) return undefined;
    const other = this.others.get(id);
    if (other === undefined) return undefined;
    this.others.delete(id);
    this.count--;
    return other.at;
  }

  /** The `n` that started first, oldest first: a scan of the table, for a status line, not for every task. */
  oldest(n: number): Array<{ started: number; shown: T | undefined }> {
    const found: Array<{ started: number; shown: T | undefined }> = [];
    const consider = (started: number, shown: T | undefined): void => {
      if (found.length === n && started >= found[n - 1].started) return;
      if (found.length === n) found.pop();
      let at = found.length;
      while (at > 0 && found[at - 1].started > started) at--;
      found.splice(at, 0, { started, shown });
    };
    const slots = this.slots;
    for (let slot = 0; slot < slots.length; slot += 2) if (slots[slot] !== FREE) consider(slots[slot + 1], this.shown?.[slot >> 1]);
    for (const other of this.others.values()) consider(other.at, other.shown);
    return found;
  }

  private grow(): void {
    const { slots, shown, others } = this;
    const moved = [...others];
    this.slots = free(slots.length);
    this.shown = shown === undefined ? undefined : new Array<T | undefined>(slots.length).fill(undefined);
    others.clear();
    this.count = 0;
    for (let slot = 0; slot < slots.length; slot += 2) if (slots[slot] !== FREE) this.set(slots[slot], slots[slot + 1], shown?.[slot >> 1]);
    for (const [id, other] of moved) this.set(id, other.at, other.shown);
  }
}

const FREE = -1;

/* a ring of `n` slots, none held */
function free(n: number): Float64Array {
  const slots = new Float64Array(2 * n);
  for (let slot = 0; slot < slots.length; slot += 2) slots[slot] = FREE;
  return slots;
}
