import { decodeValue, type EncodedValue } from "../journal/values.js";

/** A data value as held here: encoded as in the journal, or (initial data written whole by v8) decoded already. */
export type HeldValue = EncodedValue | { v: unknown };

/** One key a task set or removed: what it was before (as far as the journal's changes tell) and after. */
export interface Change {
  key: string;
  /** undefined: the key was not set before (or, after a snapshot, not known) */
  before: HeldValue | undefined;
  after: HeldValue | undefined;
  removed: boolean;
}

/**
 * The latest value of each data key as the journal gives it: the initial
 * data of its header, then each task's changes in journal order. So a
 * task's change can say what the key held before. Tokens on parallel paths
 * hold data of their own, which the journal does not tell apart: there,
 * "before" is the key's last value on any path.
 */
export class DataTrail {
  private readonly data = new Map<string, HeldValue>();

  constructor(initial: EncodedValue | undefined) {
    if (initial === undefined) return;
    // one value per run: decoded here when v8 wrote it whole, each key then held decoded
    let data: unknown;
    try {
      data = "j" in initial ? initial.j : decodeValue(initial);
    } catch {
      return;
    }
    if (data === null || typeof data !== "object" || Array.isArray(data)) return;
    for (const [key, value] of Object.entries(data)) this.data.set(key, "j" in initial ? { j: value } : { v: value });
  }

  /** A task set `set` and removed `removed`: what changed, with each key's value before; undefined when nothing did. */
  apply(set: Record<string, EncodedValue> | undefined, removed: readonly string[] | undefined): Change[] | undefined {
    if (set === undefined && (removed === undefined || removed.length === 0)) return undefined;
    const changes: Change[] = [];
    for (const key of Object.keys(set ?? {})) {
      changes.push({ key, before: this.data.get(key), after: set![key], removed: false });
      this.data.set(key, set![key]);
    }
    for (const key of removed ?? []) {
      changes.push({ key, before: this.data.get(key), after: undefined, removed: true });
      this.data.delete(key);
    }
    return changes.length === 0 ? undefined : changes;
  }

  /** The journal starts again from a snapshot: what came before it is not known. */
  forget(): void {
    this.data.clear();
  }
}
