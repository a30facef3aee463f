import { setKey } from "./data.js";

/* Deeper than this is almost surely a cycle: structuredClone copies cycles (and shared references) faithfully. */
const FAST_DEPTH = 200;

class TooDeep extends Error {}

/**
 * A deep copy of a data value (data-check.ts says what data may hold).
 * Plain objects, arrays, Maps and Sets are copied by hand, which is several
 * times faster than structuredClone for the small values tasks mostly touch;
 * everything else that may be in data (Date, RegExp, Error, typed arrays,
 * cycles) goes through structuredClone. Map keys and Set members are kept,
 * not copied: they are identities, and copies would never match the other
 * branch's keys when the two are merged at a join.
 */
export function cloneValue<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  try {
    return copy(value, 0) as T;
  } catch (error) {
    if (error instanceof TooDeep) return structuredClone(value);
    throw error;
  }
}

function copy(value: unknown, depth: number): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (depth > FAST_DEPTH) throw new TooDeep();
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copy(value[i], depth + 1);
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const out = proto === null ? Object.create(null) : {};
    for (const key of Object.keys(value)) setKey(out, key, copy((value as Record<string, unknown>)[key], depth + 1));
    return out;
  }
  if (proto === Map.prototype) {
    const out = new Map<unknown, unknown>();
    for (const [key, item] of value as Map<unknown, unknown>) out.set(key, copy(item, depth + 1));
    return out;
  }
  if (proto === Set.prototype) return new Set(value as Set<unknown>);
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  return structuredClone(value);
}
