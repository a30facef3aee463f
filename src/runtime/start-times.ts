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
  /* token ids, FREE where a slot holds none */
  private ids: Float64Array;
  private times: Float64Array;
  private shown: Array<T | undefined>;
  private readonly others = new Map<number, { at: number; shown: T | undefined }>();
  private count = 0;

  /** `slots`: the ring's first size, a power of two */
  constructor(slots = 1024) {
    this.ids = new Float64Array(slots).fill(FREE);
    this.times = new Float64Array(slots);
    this.shown = new Array<T | undefined>(slots).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  set(id: number, at: number, shown?: T): void {
    const slot = id & (this.ids.length - 1);
    const held = this.ids[slot];
    if (held !== FREE && held !== id) {
      if (this.others.size * 8 < this.ids.length) {
        if (!this.others.has(id)) this.count++;
        this.others.set(id, { at, shown });
        return;
      }
      this.grow();
      this.set(id, at, shown);
      return;
    }
    if (held === FREE) this.count++;
    this.ids[slot] = id;
    this.times[slot] = at;
    this.shown[slot] = shown;
  }

  /** The start time of `id`, which is forgotten; undefined if it was never set. */
  take(id: number): number | undefined {
    const slot = id & (this.ids.length - 1);
    if (this.ids[slot] === id) {
      this.ids[slot] = FREE;
      this.shown[slot] = undefined;
      this.count--;
      return this.times[slot];
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
    for (let slot = 0; slot < this.ids.length; slot++) if (this.ids[slot] !== FREE) consider(this.times[slot], this.shown[slot]);
    for (const other of this.others.values()) consider(other.at, other.shown);
    return found;
  }

  private grow(): void {
    const { ids, times, shown, others } = this;
    const moved = [...others];
    this.ids = new Float64Array(ids.length * 2).fill(FREE);
    this.times = new Float64Array(ids.length * 2);
    this.shown = new Array<T | undefined>(ids.length * 2).fill(undefined);
    others.clear();
    this.count = 0;
    for (let slot = 0; slot < ids.length; slot++) if (ids[slot] !== FREE) this.set(ids[slot], times[slot], shown[slot]);
    for (const [id, other] of moved) this.set(id, other.at, other.shown);
  }
}

const FREE = -1;
