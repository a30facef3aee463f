/*
 * Message instance numbers (ctx.instance, the journal's "i"): the seed
 * process run for 600 events, each event's five tasks in the instance the
 * event started. The numbers follow the order the run took the events, go
 * on across snapshots (a journal file that starts anew still numbers on),
 * and a run resumed from its journal cut anywhere gives every task the
 * number it had: the console lists instances by these numbers.
 */
import { cp, mkdtemp, readFile, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { journalRecords, perTask } from "./journal-records.js";
import { Adhesive } from "../../src/index.js";
import { journalViewOf } from "../../src/console/journal-views.js";
import { seeded } from "../seeded.js";

const seed = fileURLToPath(new URL("../../bench/fixtures/seed-message.bpmn", import.meta.url));
const EVENTS = 600;

/** Runs the seed process (or resumes it), recording per task execution (its idempotency key) the instance its ctx names and the event it handles. */
async function run(runsFolder: string, seen: Map<string, [number | undefined, unknown]>): Promise<void> {
  await new Adhesive()
    .message("Event", async function* (ctx) {
      const from = typeof ctx.lastEvent === "number" ? ctx.lastEvent + 1 : 0;
      for (let i = from; i < EVENTS; i++) yield i;
    })
    .task({ re: /^Task \d$/ }, (ctx) => {
      seen.set(ctx.idempotencyKey, [ctx.instance, ctx.data.event]);
    })
    .bpmnBuild(seed, { runsFolder, tempFolder: runsFolder, runId: "seed", journalSnapshotBytes: 16 * 1024, poolSize: 3, maxEventsInFlight: 10 });
}

type Line = { t: string; i?: number; s?: number };
const lines = async (file: string): Promise<Line[]> => perTask(await journalRecords<Line>(file));

describe("message instance numbers", () => {
  it("follow the order the run took its events, go on across snapshots, and are the same after a resume from any cut", async () => {
    const runs = await mkdtemp(join(tmpdir(), "adhesive-instance-numbers-"));
    const seen = new Map<string, [number | undefined, unknown]>();
    await run(runs, seen);
    expect(seen.size).toBe(EVENTS * 5);
    // the source yields 0, 1, 2, ... in order: event n starts instance n + 1
    for (const [key, [instance, event]] of seen) expect(instance, key).toBe((event as number) + 1);

    // the journal file started anew from a snapshot, and its numbers go on from there
    const file = join(runs, "seed", "journal.ndjson");
    const records = await lines(file);
    expect(records[1].t).toBe("snap");
    const started = records.filter((record) => record.t === "em").map((record) => record.i!);
    expect(started[0]).toBeGreaterThan(1);
    expect(started).toEqual(Array.from({ length: started.length }, (_, k) => started[0] + k));
    expect(started.at(-1)).toBe(EVENTS);
    const ended = records.filter((record) => record.t === "ie").map((record) => record.i!);
    expect(ended.sort((a, b) => a - b)).toEqual(started);
    // and the console lists exactly those
    const { view } = await journalViewOf(join(runs, "seed"));
    expect([...view!.instances.numbers()]).toEqual(started);

    const text = await readFile(file);
    const afterSnapshot = text.indexOf(10, text.indexOf(10) + 1) + 1;
    const random = seeded(2027);
    for (const cut of [afterSnapshot, ...Array.from({ length: 3 }, () => afterSnapshot + Math.floor(random() * (text.length - afterSnapshot)))]) {
      const copy = await mkdtemp(join(tmpdir(), "adhesive-instance-numbers-cut-"));
      await cp(join(runs, "seed"), join(copy, "seed"), { recursive: true });
      await truncate(join(copy, "seed", "journal.ndjson"), cut);
      const again = new Map<string, [number | undefined, unknown]>();
      await run(copy, again);
      // the tasks run again after the cut: each in the instance it had
      for (const [key, [instance, event]] of again) {
        expect(instance, `cut at ${cut}: ${key}`).toBe((event as number) + 1);
        if (seen.has(key)) expect(seen.get(key)![0], key).toBe(instance);
      }
    }
  });
});
