/** Process data when no type of your own is given: plain values by key (objects, arrays, Map, Set, Date, RegExp, typed arrays, primitives). */
export type Data = Record<string, unknown>;

/**
 * Token data is shared, never deep-copied, between tokens: a fork costs a
 * counter increment, and nested values are shared by every data object that
 * holds them (structural sharing). Nobody changes a value another data
 * object may hold: the engine writes to a top-level object only when its ref
 * is not shared (see writable), and to a nested container only when this ref
 * made it itself (`fresh`). Tasks get a copy-on-write view (task-data.ts).
 */
export interface DataRef {
  data: Data;
  refs: number;
  /** nested containers that only this ref's data holds (made by a merge or by a task): they may change in place while refs is 1 */
  fresh: Set<object> | undefined;
}

export function newRef(data: Data, fresh?: Set<object>): DataRef {
  return { data, refs: 1, fresh };
}

export function share(ref: DataRef): DataRef {
  ref.refs++;
  return ref;
}

export function release(ref: DataRef): void {
  ref.refs--;
}

/**
 * A ref whose top-level object the caller may change: the same one if
 * nobody else holds it, else a shallow copy (O(keys), nested values shared).
 */
export function writable(ref: DataRef): DataRef {
  if (ref.refs <= 1) return ref;
  ref.refs--;
  // the copy and the original now both hold the containers the original made: neither may change them in place
  ref.fresh = undefined;
  return { data: shallowCopy(ref.data), refs: 1, fresh: undefined };
}

/** Sets a data key as an own property, also for `__proto__` (a plain assignment would replace the prototype). */
export function setKey(target: Data, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/** The value of an own key; inherited ones (`constructor`, `__proto__`) are not data. */
export function ownValue(target: Data, key: string): unknown {
  return Object.hasOwn(target, key) ? target[key] : undefined;
}

/* spread defines own properties (a `__proto__` key stays a key); a null-prototype object has no `__proto__` setter to hit */
export function shallowCopy<T extends object>(source: T): T {
  if (Object.getPrototypeOf(source) === null) return Object.assign(Object.create(null) as T, source);
  return { ...source };
}

export function isPlainObject(value: unknown): value is Data {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
