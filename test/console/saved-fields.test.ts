/*
 * A map of numbers to JSON values as a console's index keeps it (the
 * timeline's extras, a run's instance events): restored from the index, it
 * answers as the map it was, each value parsed when first asked for, and
 * takes changes as any map does.
 */
import { deserialize, serialize } from "node:v8";
import { describe, expect, it } from "vitest";
import { restored, SavedMap, savedFields } from "../../src/console/saved-fields.js";

class Holder {
  extras = new Map<number, unknown>();
  dated = new Map<number, unknown>();
}

function throughIndex(holder: Holder): Holder {
  return restored(Holder.prototype, deserialize(serialize(savedFields(holder))) as Record<string, unknown>);
}

describe("a map kept in an index", () => {
  it("answers each key as before, whatever order it was filled in", () => {
    const holder = new Holder();
    for (const key of [5, 1, 9, 3]) holder.extras.set(key, { error: `e${key}`, changes: [{ key: "a", after: { j: key } }] });
    const again = throughIndex(holder);
    expect(again.extras).toBeInstanceOf(SavedMap);
    expect(again.extras.get(9)).toEqual({ error: "e9", changes: [{ key: "a", after: { j: 9 } }] });
    expect(again.extras.has(4)).toBe(false);
    expect(again.extras.size).toBe(4);
    expect([...again.extras.keys()].sort((a, b) => a - b)).toEqual([1, 3, 5, 9]);
  });

  it("keeps what is changed in a value it gave, takes new keys, deletes and clears", () => {
    const holder = new Holder();
    for (let key = 0; key < 10; key++) holder.extras.set(key, { n: key });
    const again = throughIndex(holder);
    (again.extras.get(2) as { n: number }).n = 20;
    expect(again.extras.get(2)).toEqual({ n: 20 });
    again.extras.set(42, { n: 42 });
    expect(again.extras.delete(3)).toBe(true);
    expect(again.extras.has(3)).toBe(false);
    expect(again.extras.size).toBe(10);
    again.extras.clear();
    expect([again.extras.size, again.extras.get(5), again.extras.has(42)]).toEqual([0, undefined, false]);
  });

  it("is kept as the map itself when a value is not plain JSON (a Date, a value held decoded)", () => {
    const holder = new Holder();
    holder.dated.set(1, { at: new Date(0) });
    holder.dated.set(2, { before: { v: 1n } });
    const again = throughIndex(holder);
    expect(again.dated).not.toBeInstanceOf(SavedMap);
    expect(again.dated.get(1)).toEqual({ at: new Date(0) });
    expect(again.dated.get(2)).toEqual({ before: { v: 1n } });
  });
});
