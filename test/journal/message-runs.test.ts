/*
 * Journal format 4 (src/journal/journal-records.ts, start-runs.ts): message
 * events of one element at one time that started instances in a row are
 * one "em" record, and instances in a row that each started the same
 * elements one "s" record. Read back they are each event and each task's
 * own start, a resume cut anywhere among them calls again only the tasks in
 * flight, and a journal of format 3 goes on in records of its own format.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { journalRecords, perTask } from "./journal-records.js";
import { SEED } from "./seed-run.js";
import { Adhesive, SimulatedClock } from "../../src/index.js";
import { journalViewOf } from "../../src/console/journal-views.js";
import { framedLine } from "../../src/journal/framing.js";
import { parseJournal } from "../../src/journal/reader.js";

const EVENTS = 40;

type Record_ = { t: string; v?: number; s?: number; i?: number; n?: unknown; k?: number; e?: unknown; to?: number };

/* the seed process on a clock that stands still (every record at one time), its calls by task number and attempt */
function seedRun(calls: string[]): Adhesive {
  return new Adhesive()
    .message("Event", async function* (ctx) {
      const from = typeof ctx.lastEvent === "number" ? ctx.lastEvent + 1 : 0;
      for (let i = from; i < EVENTS; i++) yield i;
    })
    // the key ends with the task's number
    .task({ re: /^Task \d$/ }, (ctx) => void calls.push(`${ctx.idempotencyKey.split(":").at(-1)!} ${ctx.attempt}`));
}

async function finishedSeed(): Promise<{ options: { runsFolder: string; tempFolder: string; runId: string; poolSize: number; clock: SimulatedClock }; file: string }> {
  const folder = await mkdtemp(join(tmpdir(), "adhesive-message-runs-"));
  const options = { runsFolder: folder, tempFolder: join(folder, "temp"), runId: "seed", poolSize: 1e9, clock: new SimulatedClock() };
  const calls: string[] = [];
  await seedRun(calls).bpmnBuild(SEED, options);
  expect(calls).toHaveLength(EVENTS * 5);
  return { options, file: join(folder, "seed", "journal.ndjson") };
}

/* the journal as a runner that died left it (this process ran it, and lives): its header and its first `keep` records, framed */
async function cutJournal(file: string, records: readonly Record_[], keep: number, version?: number): Promise<void> {
  const header = { ...records[0], pid: 4194303, ...(version === undefined ? {} : { v: version }) };
  await writeFile(file, [header, ...records.slice(1, keep + 1)].map((record) => framedLine(JSON.stringify(record))).join(""));
}

describe("message runs (journal format 4)", () => {
  it("are one message record and one start record, which read back as each event and each task's own start", async () => {
    const { file } = await finishedSeed();
    const records = await journalRecords<Record_>(file);
    expect(records[0].v).toBe(4);
    const events = records.filter((record) => record.t === "em");
    expect(events.some((record) => Array.isArray(record.e) && record.e.length > 1)).toBe(true);
    expect(records.some((record) => record.t === "s" && (record.k ?? 0) > 1)).toBe(true);
    // far fewer records than one per event and one per start
    expect(records.length).toBeLessThan(EVENTS);

    const inputs = parseJournal(await readFile(file), file).inputs;
    expect(inputs.filter((input) => input.kind === "emitted").map((input) => (input.kind === "emitted" ? input.event : undefined))).toEqual(Array.from({ length: EVENTS }, (_, i) => i));
    const started = inputs.flatMap((input) => (input.kind === "started" ? [input] : []));
    expect(started.map((input) => input.seq)).toEqual(Array.from({ length: EVENTS * 5 }, (_, i) => i + 1));
    expect(new Set(started.map((input) => input.node))).toEqual(new Set(["t1", "t2", "t3", "t4", "t5"]));
    // and each task in the instance its message started, as the console lists them
    const perTaskStarts = perTask(records).filter((record) => record.t === "s");
    expect(perTaskStarts.map((record) => record.i)).toEqual(Array.from({ length: EVENTS * 5 }, (_, i) => Math.floor(i / 5) + 1));
    const { view } = await journalViewOf(join(file, ".."));
    expect([...view!.instances.numbers()]).toEqual(Array.from({ length: EVENTS }, (_, i) => i + 1));
  });

  it("cut after any record, run again only the tasks in flight (attempt 2), and nothing completed runs again", async () => {
    const { options, file } = await finishedSeed();
    const records = await journalRecords<Record_>(file);
    const end = records.findIndex((record) => record.t === "end");
    for (let keep = 1; keep < end; keep++) {
      await cutJournal(file, records, keep);
      const kept = perTask(records.slice(1, keep + 1));
      const done = new Set(kept.filter((record) => record.t === "d").map((record) => record.s!));
      const inFlight = kept.filter((record) => record.t === "s" && !done.has(record.s!)).map((record) => record.s!);
      const calls: string[] = [];
      await seedRun(calls).bpmnBuild(SEED, { ...options, clock: new SimulatedClock() });
      const again = calls.filter((call) => call.endsWith(" 2")).map((call) => Number(call.split(" ")[0]));
      expect(again.sort((a, b) => a - b), `cut after record ${keep}`).toEqual(inFlight.sort((a, b) => a - b));
      for (const call of calls) expect(done.has(Number(call.split(" ")[0])), `cut after record ${keep}: ${call}`).toBe(false);
      expect(calls.length + done.size).toBe(EVENTS * 5);
    }
  });

  it("in a journal of format 3 are one record per event and per instance, and a resume writes it on in records of format 3", async () => {
    const { options, file } = await finishedSeed();
    const records = perTask(await journalRecords<Record_>(file));
    // as an older adhesive wrote it: version 3, the first event's records
    const firstDone = records.findIndex((record) => record.t === "d");
    await cutJournal(file, records, Math.min(firstDone, 7), 3);
    const calls: string[] = [];
    await seedRun(calls).bpmnBuild(SEED, { ...options, clock: new SimulatedClock() });
    expect(calls).toHaveLength(EVENTS * 5);
    const after = await journalRecords<Record_>(file);
    expect(after[0].v).toBe(3);
    expect(after.filter((record) => record.k !== undefined || (record.t === "em" && Array.isArray(record.e)))).toEqual([]);
    expect(after.filter((record) => record.t === "em")).toHaveLength(EVENTS);
  });
});
