/*
 * The instances in flight (src/engine/instances.ts) are a list through
 * their frames rather than a Set: it must do what the Set did for the run's
 * end, its cancellation, its status output and deduplication (eventFrameOf).
 */
import { describe, expect, it } from "vitest";
import { createFrame, type Frame } from "../../src/engine/frame.js";
import { InstanceFrames } from "../../src/engine/instances.js";
import type { Scope } from "../../src/model/graph.js";

const scope = { hasJoins: false, nodes: [] } as unknown as Scope;
const frames = (count: number): Frame[] => Array.from({ length: count }, (_, i) => createFrame(i + 1, scope, undefined, undefined));
const ids = (list: Iterable<Frame>): number[] => [...list].map((frame) => frame.id);

describe("the instances in flight", () => {
  it("keep the order they started in, whichever ends first", () => {
    const [a, b, c, d] = frames(4);
    const list = new InstanceFrames();
    for (const frame of [a, b, c]) list.add(frame);
    expect(list.delete(b)).toBe(true);
    list.add(d);
    expect(ids(list)).toEqual([1, 3, 4]);
    expect(list.size).toBe(3);
    expect(list.delete(a)).toBe(true);
    expect(list.delete(d)).toBe(true);
    expect(ids(list)).toEqual([3]);
  });

  it("know their members: a frame that ended, or never started an instance, is not one", () => {
    const [a, b, c] = frames(3);
    const list = new InstanceFrames();
    list.add(a);
    list.add(b);
    expect([list.has(a), list.has(b), list.has(c)]).toEqual([true, true, false]);
    expect(list.delete(c)).toBe(false);
    list.delete(a);
    expect([list.has(a), list.has(b)]).toEqual([false, true]);
    expect(list.size).toBe(1);
  });

  it("are walked to the end when the frame being visited ends, and clear() empties them", () => {
    const all = frames(4);
    const list = new InstanceFrames();
    for (const frame of all) list.add(frame);
    const seen: number[] = [];
    for (const frame of list) {
      seen.push(frame.id);
      list.delete(frame);
    }
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(list.size).toBe(0);
    for (const frame of all) list.add(frame);
    list.clear();
    expect([list.size, ids(list), all.some((frame) => list.has(frame))]).toEqual([0, [], false]);
  });
});
