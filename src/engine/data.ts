import rfdc from "rfdc";

export type Data = Record<string, unknown>;

/**
 * Token data is shared between tokens until one of them is about to let user
 * code touch it (copy-on-write): forking a token costs a counter increment,
 * and only a branch that really runs a task pays for a copy.
 */
export interface DataRef {
  data: Data;
  refs: number;
}

const deepClone = rfdc({ proto: false, circles: false });

export function cloneData<T>(value: T): T {
  return deepClone(value);
}

export function newRef(data: Data): DataRef {
  return { data, refs: 1 };
}

export function share(ref: DataRef): DataRef {
  ref.refs++;
  return ref;
}

export function release(ref: DataRef): void {
  ref.refs--;
}

/** Returns a ref the caller may mutate: the same one if nobody else holds it. */
export function owned(ref: DataRef): DataRef {
  if (ref.refs <= 1) return ref;
  ref.refs--;
  return { data: deepClone(ref.data), refs: 1 };
}

/**
 * Merges `source` into `target` (which the caller owns). Plain objects merge
 * deeply, Sets union, Maps merge, `null` removes the key, anything else is
 * replaced. When the source is still shared, values are copied instead of
 * moved so the two data objects never alias.
 */
export function mergeData(target: Data, source: Data, sourceShared: boolean): void {
  for (const key in source) {
    const value = source[key];
    if (value === null) {
      delete target[key];
      continue;
    }
    const current = target[key];
    if (current === value) continue;
    if (current instanceof Set && value instanceof Set) {
      for (const item of value) current.add(sourceShared ? deepClone(item) : item);
    } else if (current instanceof Map && value instanceof Map) {
      for (const [k, v] of value) current.set(k, sourceShared ? deepClone(v) : v);
    } else if (isPlainObject(current) && isPlainObject(value)) {
      mergeData(current, value, sourceShared);
    } else {
      target[key] = sourceShared ? deepClone(value) : value;
    }
  }
}

export function isPlainObject(value: unknown): value is Data {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
