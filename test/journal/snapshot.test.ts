/*
 * Snapshots (src/journal/snapshot.ts): a long message run's journal file
 * starts anew from a snapshot whenever it has grown by journalSnapshotBytes
 * and the run is empty, so it stays as long as the live state; a resume
 * reads the snapshot and what follows, and ends with the data of a run that
 * never stopped, calling no completed task again. Crashes are journals cut
 * at seeded byte offsets, as in journal.test.ts.
 */
import { cp, mkdtemp, readFile, stat, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Adhesive, type Data } from "../../src/index.js";
import { readJournal } from "../../src/journal/reader.js";
import { seeded } from "../seeded.js";
import { SEED, seedRun } from "./seed-run.js";

const EVENTS = 3000;
const EVERY = 32 * 1024;

async function run(runsFolder: string, runId: string, calls = new Map<string, number>()): Promise<Data> {
  // the file grows by EVERY bytes, then by what the instances in flight still write until they end: few of them here
  return seedRun(EVENTS, calls).bpmnBuild(SEED, { runsFolder, tempFolder: runsFolder, runId, journalSnapshotBytes: EVERY, poolSize: 3, maxEventsInFlight: 20 });
}

describe("a long message run with snapshots", () => {
  it("keeps its journal file as long as its live state, and resumes from its latest snapshot to the data of a run that never stopped", async () => {
    const plain = await mkdtemp(join(tmpdir(), "adhesive-plain-"));
    const expected = await new Adhesive()
      .message("Event", async function* () {
        for (let i = 0; i < EVENTS; i++) yield i;
      })
      .task({ re: /^Task (\d)$/ }, (ctx, n) => {
        ctx.data[`t${n}`] = ctx.data.event;
        if (ctx.data.event === 7) ctx.data.seven = new Set([n]);
      })
      .bpmnBuild(SEED, { runsFolder: plain, tempFolder: plain, runId: "plain", poolSize: 3, maxEventsInFlight: 20 });
    const plainSize = (await stat(join(plain, "plain", "journal.ndjson"))).size;

    const runs = await mkdtemp(join(tmpdir(), "adhesive-snapshots-"));
    const calls = new Map<string, number>();
    expect(await run(runs, "long", calls)).toEqual(expected);
    const file = join(runs, "long", "journal.ndjson");
    const size = (await stat(file)).size;
    // without snapshots it grows with every event; with them it starts anew every EVERY bytes or so
    expect(plainSize).toBeGreaterThan(8 * EVERY);
    expect(size).toBeLessThan(2 * EVERY);
    const journal = await readJournal(file);
    expect(journal.checkpoint).toBeDefined();
    expect(journal.totals!.done + journal.inputs.filter((input) => input.kind === "done").length).toBe(EVENTS * 5);
    expect([...calls.values()].every((count) => count === 1)).toBe(true);
    expect(calls.size).toBe(EVENTS * 5);

    // crashes: the journal cut at seeded offsets after its snapshot; each resume ends with the same data and calls no completed task again
    const text = await readFile(file);
    const afterSnapshot = text.indexOf(10, text.indexOf(10) + 1) + 1;
    const random = seeded(2026);
    for (const cut of [afterSnapshot, text.length - 1, ...Array.from({ length: 4 }, () => afterSnapshot + Math.floor(random() * (text.length - afterSnapshot)))]) {
      const copy = await mkdtemp(join(tmpdir(), "adhesive-snapshot-cut-"));
      await cp(join(runs, "long"), join(copy, "long"), { recursive: true });
      await truncate(join(copy, "long", "journal.ndjson"), cut);
      const completed = new Set((await readJournal(join(copy, "long", "journal.ndjson"))).inputs.flatMap((input) => (input.kind === "done" ? [input.seq] : [])));
      const again = new Map<string, number>();
      expect(await run(copy, "long", again), `cut at ${cut}`).toEqual(expected);
      const rerun = [...again.keys()].map((key) => Number(key.split(":").pop())).filter((seq) => completed.has(seq));
      expect(rerun, `cut at ${cut}: completed tasks called again`).toEqual([]);
    }
  }, 120_000);
});
