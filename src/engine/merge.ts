import { isPlainObject, ownValue, setKey, shallowCopy, share, writable, type Data, type DataRef } from "./data.js";
import type { Frame } from "./frame.js";

/* Cyclic plain objects on both sides would recurse forever; that deep, the later value simply wins. */
const MAX_MERGE_DEPTH = 64;

/**
 * Merges `source` into the data of `ref`, which the caller may write (see
 * writable). Plain objects merge deeply, Sets union, Maps merge, `null`
 * removes the key, anything else is replaced by the source's value.
 *
 * Values are moved by reference, never copied: both data objects may hold
 * them afterwards. A nested container of the target is changed in place only
 * if this ref made it (ref.fresh); any other is copied once first, so
 * merging costs what the source changes, and a long series of merges into
 * one result (a join of many iterations, the run's result) stays linear.
 * Only own keys are read and written: `__proto__`, `constructor` and
 * `prototype` in any payload are plain data keys and never reach a prototype.
 */
export function mergeInto(ref: DataRef, source: Data): void {
  mergeObject(ref, ref.data, source, 0);
}

/** `target` with `source` merged into it: the same ref when they hold the same data, else one the caller may keep writing. */
export function mergedWith(target: DataRef, source: Data): DataRef {
  if (target.data === source) return target;
  const ref = writable(target);
  mergeInto(ref, source);
  return ref;
}

/** A token that ends, or a frame that ends, hands its data to the frame's result: shared when it is the first, merged into it after. */
export function mergeResult(frame: Frame, ref: DataRef): void {
  frame.result = frame.result === undefined ? share(ref) : mergedWith(frame.result, ref.data);
}

function mergeObject(ref: DataRef, target: Data, source: Data, depth: number): void {
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (value === null) {
      if (Object.hasOwn(target, key)) delete target[key];
      continue;
    }
    // a primitive replaces whatever the key held: no need to read it (every finished instance merges its data.event into the run's result)
    if (typeof value !== "object") {
      setKey(target, key, value);
      continue;
    }
    const current = ownValue(target, key);
    if (current === value) continue;
    setKey(target, key, merged(ref, current, value, depth));
  }
}

function merged(ref: DataRef, current: unknown, value: unknown, depth: number): unknown {
  if (depth >= MAX_MERGE_DEPTH) return value;
  if (current instanceof Set && value instanceof Set) {
    const set = mutable(ref, current, () => new Set(current));
    for (const item of value) set.add(item);
    return set;
  }
  if (current instanceof Map && value instanceof Map) {
    const map = mutable(ref, current, () => new Map(current));
    for (const [key, item] of value) map.set(key, item);
    return map;
  }
  if (isPlainObject(current) && isPlainObject(value)) {
    const object = mutable(ref, current, () => shallowCopy(current));
    mergeObject(ref, object, value, depth + 1);
    return object;
  }
  return value;
}

function mutable<T extends object>(ref: DataRef, container: T, copy: () => T): T {
  if (ref.fresh?.has(container)) return container;
  const made = copy();
  (ref.fresh ??= new Set()).add(made);
  return made;
}
