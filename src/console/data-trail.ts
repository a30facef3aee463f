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

/* a key's value in one instance's trail: null, removed there */
type Trail = Map<string, HeldValue | null>;

/**
 * The latest value of each data key as the journal gives it: the initial
 * data of its header, then each task's changes in journal order. So a
 * task's change can say what the key held before. A message instance
 * starts from the initial data and its event (as the engine starts it) and
 * has a trail of its own, kept while it runs; the run's own tokens (those
 * of no message instance) share another. Tokens on parallel paths of one
 * instance hold data of their own, which the journal does not tell apart:
 * there, "before" is the key's last value on any of its paths.
 */
export class DataTrail {
  /** the initial data, by key */
  readonly initial = new Map<string, HeldValue>();
  private readonly trails = new Map<number, Trail>([[0, new Map()]]);
  /* the event of each message instance that has not ended; its trail is made when a task of it first changes data (most instances of a long run never need one for long) */
  private readonly events = new Map<number, EncodedValue>();
  /* the run's own data before its trail: the initial data, or after a snapshot the result it kept (undefined: none) */
  private rootBase: Map<string, HeldValue> | undefined = this.initial;

  constructor(initial: EncodedValue | undefined) {
    for (const [key, value] of initial === undefined ? [] : (keysOf(initial) ?? [])) this.initial.set(key, value);
  }

  /** A task of `instance` (0: of none) set `set` and removed `removed`: what changed, with each key's value before; undefined when nothing did. */
  apply(instance: number, set: Record<string, EncodedValue> | undefined, removed: readonly string[] | undefined): Change[] | undefined {
    if (set === undefined && (removed === undefined || removed.length === 0)) return undefined;
    const trail = this.trailOf(instance);
    const changes: Change[] = [];
    for (const key of Object.keys(set ?? {})) {
      changes.push({ key, before: this.value(instance, trail, key), after: set![key], removed: false });
      trail.set(key, set![key]);
    }
    for (const key of removed ?? []) {
      changes.push({ key, before: this.value(instance, trail, key), after: undefined, removed: true });
      trail.set(key, null);
    }
    return changes.length === 0 ? undefined : changes;
  }

  /** A message instance started: its data is the initial data and its event (whose keys a plain object's event sets too, as the engine does). */
  instanceStarted(instance: number, event: EncodedValue | undefined): void {
    if (event !== undefined) this.events.set(instance, event);
  }

  /** It ended: nothing it does later can ask for its values. */
  instanceEnded(instance: number): void {
    this.trails.delete(instance);
    this.events.delete(instance);
  }

  /** The run's own data now (the tokens of no message instance), key by key; undefined after a snapshot that kept none. */
  rootData(): Map<string, HeldValue> | undefined {
    if (this.rootBase === undefined) return undefined;
    const data = new Map(this.rootBase);
    for (const [key, value] of this.trails.get(0)!) {
      if (value === null) data.delete(key);
      else data.set(key, value);
    }
    return data;
  }

  /** The journal starts again from a snapshot: what came before it is not known, but for the result it kept (its "r"). */
  forget(result: EncodedValue | undefined): void {
    this.trails.clear();
    this.events.clear();
    this.trails.set(0, new Map());
    this.rootBase = result === undefined ? undefined : keysOf(result);
  }

  private trailOf(instance: number): Trail {
    let trail = this.trails.get(instance);
    // an instance that started before this journal began (or in a journal that did not number them)
    if (trail === undefined) this.trails.set(instance, (trail = new Map()));
    return trail;
  }

  private value(instance: number, trail: Trail, key: string): HeldValue | undefined {
    const held = trail.get(key);
    if (held !== undefined) return held ?? undefined;
    if (instance === 0) return this.rootBase?.get(key);
    // the instance's event, and a JSON object event's keys (a v8-written one is left whole: decoding every event would cost a run of 100k of them)
    const event = this.events.get(instance);
    if (event !== undefined && key === "event") return event;
    if (event !== undefined && "j" in event && isObject(event.j) && Object.hasOwn(event.j, key)) return { j: (event.j as Record<string, unknown>)[key] };
    return this.initial.get(key);
  }
}

/** The value itself; undefined when this adhesive cannot decode it. */
export function rawValue(value: HeldValue): unknown {
  if ("v" in value) return value.v;
  try {
    return decodeValue(value);
  } catch {
    return undefined;
  }
}

/* a value that holds an object, key by key (undefined when it is not one); one v8-written value is decoded here, each key then held decoded */
function keysOf(value: EncodedValue): Map<string, HeldValue> | undefined {
  let data: unknown;
  try {
    data = "j" in value ? value.j : decodeValue(value);
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) return undefined;
  const keys = new Map<string, HeldValue>();
  for (const [key, item] of Object.entries(data)) keys.set(key, "j" in value ? { j: item } : { v: item });
  return keys;
}

function isObject(value: unknown): value is object {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
