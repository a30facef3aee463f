/*
 * The per-node byte caches of the journal's records (record-buffer.ts
 * keep()): filled without holes, whatever order the elements come in.
 */
import { describe, expect, it } from "vitest";
import { keep } from "../../src/journal/record-buffer.js";

describe("a per-node cache of record bytes", () => {
  it("is filled up to the element's index, with no holes, and keeps what it held", () => {
    const cache: Array<Buffer | undefined> = [];
    const third = Buffer.from('"t3"');
    expect(keep(cache, 3, third)).toBe(third);
    expect(cache).toHaveLength(4);
    // a hole is an index the array does not have; undefined stored there is what keep() writes instead
    for (let i = 0; i < cache.length; i++) expect(i in cache).toBe(true);
    const first = Buffer.from('"t1"');
    keep(cache, 1, first);
    keep(cache, 5, Buffer.from('"t5"'));
    expect(cache.map((bytes) => bytes?.toString())).toEqual([undefined, '"t1"', undefined, '"t3"', undefined, '"t5"']);
    for (let i = 0; i < cache.length; i++) expect(i in cache).toBe(true);
  });
});
