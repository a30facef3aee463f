/*
 * Snapshots of a run's journal stream (src/store/stream-writer.ts): given
 * a long message run on the store whose stream grows past
 * journalSnapshotBytes, when it runs, then its stream starts anew from a
 * snapshot whenever the run is empty (header, snapshot, what follows), so
 * it stays as long as the live state; and a run taken over from that
 * stream, cut at seeded entries after its snapshot, ends with the data of a
 * run that never stopped, calling no completed task again; a stream begun
 * in journal format 2 goes on in format-2 records.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Data } from "../../src/index.js";
import { type Store } from "../../src/store/connection.js";
import { framedLine } from "../../src/journal/framing.js";
import { readStreamJournal } from "../../src/store/journal-stream.js";
import { runKeys } from "../../src/store/keys.js";
import { seeded } from "../seeded.js";
import { SEED, seedRun } from "../journal/seed-run.js";
import { redisStorePerFile, type TestRedis } from "./redis-server.js";

const EVENTS = 1500;
const EVERY = 32 * 1024;

let redis: TestRedis;
let store: Store;
redisStorePerFile((server, connected) => {
  redis = server;
  store = connected;
});

async function run(runsFolder: string, runId: string, calls: Map<string, number>, every?: number): Promise<Data> {
  return seedRun(EVENTS, calls).bpmnBuild(SEED, { runsFolder, tempFolder: runsFolder, runId, journalSnapshotBytes: every, poolSize: 3, maxEventsInFlight: 20, store: { url: redis.url, leaseTtlMs: 3000 } });
}

/** The stream's records and their bytes, as the journal file would hold them. */
async function streamBytes(runId: string): Promise<{ entries: Array<[string, number]>; bytes: number }> {
  const page = await store.redis.xrangeBuffer(runKeys(runId).journal, "-", "+");
  const entries = page.map(([id, fields]) => [id.toString(), fields[1].length + 1] as [string, number]);
  return { entries, bytes: entries.reduce((sum, [, length]) => sum + length, 0) };
}

describe("a long message run on a store with snapshots", () => {
  it("keeps its stream as long as its live state, and a takeover from its snapshot ends with the data of a run that never stopped", async () => {
    const runs = await mkdtemp(join(tmpdir(), "adhesive-stream-snapshots-"));
    const expected = await run(runs, "plain", new Map());
    const plain = await streamBytes("plain");

    const calls = new Map<string, number>();
    expect(await run(runs, "long", calls, EVERY)).toEqual(expected);
    const long = await streamBytes("long");
    // without snapshots it grows with every event; with them it starts anew every EVERY bytes or so
    expect(plain.bytes).toBeGreaterThan(8 * EVERY);
    expect(long.bytes).toBeLessThan(2 * EVERY);
    const journal = await readStreamJournal(store, "long");
    expect(journal.checkpoint).toBeDefined();
    expect(journal.totals!.done + journal.inputs.filter((input) => input.kind === "done").length).toBe(EVENTS * 5);
    expect([...calls.values()].every((count) => count === 1)).toBe(true);
    expect(calls.size).toBe(EVENTS * 5);

    // crashes: the stream copied and cut after seeded entries past its snapshot (entry 2); a takeover of each copy ends with the same data and calls no completed task again
    const random = seeded(2026);
    const source = await store.redis.xrangeBuffer(runKeys("long").journal, "-", "+");
    for (const [trial, keep] of [2, source.length - 1, ...Array.from({ length: 3 }, () => 2 + Math.floor(random() * (source.length - 2)))].entries()) {
      const copy = `long-cut-${trial}`;
      for (const [, fields] of source.slice(0, keep)) await store.redis.xadd(runKeys(copy).journal, "*", "r", fields[1]);
      const completed = new Set((await readStreamJournal(store, copy)).inputs.flatMap((input) => (input.kind === "done" ? [input.seq] : [])));
      const again = new Map<string, number>();
      expect(await run(runs, copy, again, EVERY), `cut after ${keep} entries`).toEqual(expected);
      const rerun = [...again.keys()].map((key) => Number(key.split(":").pop())).filter((seq) => completed.has(seq));
      expect(rerun, `cut after ${keep} entries`).toEqual([]);
    }

    // a stream an adhesive of journal format 2 began: taken over, it goes on in one record per start and completion, which that adhesive can read
    const plainEntries = await store.redis.xrangeBuffer(runKeys("plain").journal, "-", "+");
    const header = plainEntries[0][1][1].toString("utf8");
    await store.redis.xadd(runKeys("format2").journal, "*", "r", framedLine(header.slice(0, header.lastIndexOf("\t")).replace(/"v":\d+/, '"v":2')).slice(0, -1));
    expect(await run(runs, "format2", new Map())).toEqual(expected);
    const written = (await store.redis.xrange(runKeys("format2").journal, "-", "+")).slice(1).map(([, fields]) => JSON.parse(fields[1].slice(0, fields[1].lastIndexOf("\t"))) as { n?: unknown; to?: unknown });
    expect(written.length).toBeGreaterThan(EVENTS);
    expect(written.filter((record) => Array.isArray(record.n) || record.to !== undefined)).toEqual([]);
  });
});
