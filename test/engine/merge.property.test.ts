/*
 * Property tests (fast-check) for the join merge of src/engine/merge.ts: for
 * any JSON-like data, including keys named __proto__, constructor and
 * prototype (as JSON.parse makes them: own keys), a merge never reaches a
 * prototype, never changes the source or a container the target shares
 * with other data, and follows the SPEC 3 merge rules.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { newRef, type Data } from "../../src/engine/data.js";
import { mergeInto } from "../../src/engine/merge.js";

const KEYS = ["__proto__", "constructor", "prototype", "a", "b", "toString"];

/** JSON text of an object whose keys may be the dangerous ones; parsing it gives own keys, the way payloads arrive. */
const { json } = fc.letrec<{ json: string; value: string }>((tie) => ({
  json: fc
    .array(fc.tuple(fc.constantFrom(...KEYS), tie("value")), { maxLength: 4 })
    .map((entries) => `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(",")}}`),
  value: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom("1", '"x"', "true", "null", "[1,2]"),
    tie("json"),
  ),
}));

const parse = (text: string) => JSON.parse(text) as Data;

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Data)[key]);
  }
  return value;
}

function everyPrototypeIsPlain(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return true;
  if (Object.getPrototypeOf(value) !== Object.prototype && !Array.isArray(value)) return false;
  return Object.keys(value).every((key) => everyPrototypeIsPlain((value as Data)[key]));
}

/** `deep`: also inside nested objects (what a key-by-key merge of two objects removes) */
const withoutNulls = (value: unknown, deep = true): unknown => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const out: Data = {};
  for (const key of Object.keys(value)) {
    const item = (value as Data)[key];
    if (item !== null) Object.defineProperty(out, key, { value: deep ? withoutNulls(item) : item, enumerable: true, writable: true, configurable: true });
  }
  return out;
};

const merged = (target: string, source: Data) => {
  const ref = newRef(parse(target));
  mergeInto(ref, source);
  return ref.data;
};

describe("mergeInto (property tests)", () => {
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  it("never adds to Object.prototype and never gives a merged object another prototype", () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        const result = merged(a, parse(b));
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
        expect(({} as Data).polluted).toBeUndefined();
        expect(everyPrototypeIsPlain(result)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("changes neither the source nor any nested container of the target (they may be shared with other data)", () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        const target = parse(a);
        for (const key of Object.keys(target)) deepFreeze(target[key]);
        const source = deepFreeze(parse(b));
        const ref = newRef(target);
        // frozen values throw on any write in strict mode: the merge must copy what it changes
        expect(() => mergeInto(ref, source)).not.toThrow();
        expect(JSON.stringify(source)).toBe(JSON.stringify(parse(b)));
      }),
      { numRuns: 500 },
    );
  });

  it("merging nothing changes nothing; merging into nothing gives the source without its top-level null keys", () => {
    fc.assert(
      fc.property(json, (a) => {
        expect(merged(a, {})).toEqual(parse(a));
        // a value with no counterpart is taken whole, nested nulls included
        expect(merged("{}", parse(a))).toEqual(withoutNulls(parse(a), false));
      }),
    );
  });

  it("merging data with an equal copy of itself gives the same data (nulls aside)", () => {
    fc.assert(
      fc.property(json, (a) => {
        const clean = JSON.stringify(withoutNulls(parse(a)));
        expect(merged(clean, parse(clean))).toEqual(parse(clean));
      }),
    );
  });

  it("a leaf of the source wins, null removes the key, and objects merge key by key", () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        const source = parse(b);
        const result = merged(a, source);
        const before = parse(a);
        for (const key of Object.keys(source)) {
          const value = source[key];
          if (value === null) expect(Object.hasOwn(result, key)).toBe(false);
          else if (typeof value !== "object" || Array.isArray(value)) expect(Object.getOwnPropertyDescriptor(result, key)?.value).toEqual(value);
          else if (typeof before[key] === "object" && before[key] !== null && !Array.isArray(before[key]) && Object.hasOwn(before, key)) {
            for (const inner of Object.keys(before[key] as Data)) {
              if (!Object.hasOwn(value, inner)) expect(Object.hasOwn(Object.getOwnPropertyDescriptor(result, key)!.value as Data, inner)).toBe(true);
            }
          }
        }
        for (const key of Object.keys(before)) if (!Object.hasOwn(source, key)) expect(Object.hasOwn(result, key)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
