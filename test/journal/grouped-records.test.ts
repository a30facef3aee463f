/*
 * Journal format 3 (src/journal/journal-records.ts): the first starts of
 * tasks one step started together are one record, and completions in a
 * row that changed nothing one record. Read back they are each task's own
 * start and completion, a resume calls again only the tasks in flight, and
 * a journal of format 2 goes on in records of its own format.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive } from "../../src/index.js";
import { framedLine } from "../../src/journal/framing.js";
import { parseJournal } from "../../src/journal/reader.js";

const wave = fileURLToPath(new URL("../fixtures/durable/wave.bpmn", import.meta.url));

/* four tasks a fork starts together that change nothing, then one that sets `after` */
function waveTasks(calls: string[]): Adhesive {
  const adhesive = new Adhesive();
  for (const name of ["A", "B", "C", "D"]) adhesive.task(name, (ctx) => void calls.push(`${name} ${ctx.attempt}`));
  return adhesive.task("After", (ctx) => void (calls.push(`After ${ctx.attempt}`), (ctx.data.after = true)));
}

/* a finished run of wave.bpmn: its folder and its journal's lines without their checksums */
async function finishedWave(): Promise<{ options: { runsFolder: string; tempFolder: string; runId: string }; file: string; lines: string[] }> {
  const folder = await mkdtemp(join(tmpdir(), "adhesive-grouped-"));
  const options = { runsFolder: folder, tempFolder: join(folder, "temp"), runId: "wave" };
  expect(await waveTasks([]).bpmnBuild(wave, options)).toEqual({ after: true });
  const file = join(folder, "wave", "journal.ndjson");
  const lines = (await readFile(file, "utf8")).split("\n").filter(Boolean).map((line) => line.slice(0, line.lastIndexOf("\t")));
  return { options, file, lines };
}

/* the calls of the four tasks a fork started, in the order its start record names them, as attempt 2; then After's first */
function rerun(lines: string[]): string[] {
  const group = JSON.parse(lines.find((line) => line.startsWith('{"t":"s","s":1,'))!) as { n: string[] };
  return [...group.n.map((node) => `${node.toUpperCase()} 2`), "After 1"];
}

/* the journal as a runner that has died left it (this process ran it, and lives): its first `keep` records, each framed again */
async function cutJournal(file: string, lines: string[], keep: number, edit: (record: Record<string, unknown>) => Record<string, unknown> = (record) => record): Promise<void> {
  const header = { ...(JSON.parse(lines[0]) as Record<string, unknown>), pid: 4194303 };
  const records = [header, ...lines.slice(1, keep + 1).map((line) => JSON.parse(line) as Record<string, unknown>)].map(edit);
  await writeFile(file, records.map((record) => framedLine(JSON.stringify(record))).join(""));
}

describe("tasks started together (journal format 3)", () => {
  it("are one start record and one completion record, which read back as each task's own", async () => {
    const { file, lines } = await finishedWave();
    const records = lines.slice(1).map((line) => JSON.parse(line) as { t: string; s?: number; n?: unknown; to?: number });
    const starts = records.filter((record) => record.t === "s");
    expect(starts).toEqual([expect.objectContaining({ s: 1, n: expect.any(Array) }), expect.objectContaining({ s: 5, n: "after" })]);
    const together = starts[0].n as string[];
    expect([...together].sort()).toEqual(["a", "b", "c", "d"]);
    expect(records.filter((record) => record.t === "d")).toEqual([expect.objectContaining({ s: 1, to: 4 }), expect.objectContaining({ s: 5, c: { after: { j: true } } })]);
    const inputs = parseJournal(await readFile(file), file).inputs;
    expect(inputs.map((input) => (input.kind === "started" ? `started ${input.seq} ${input.node}` : input.kind === "done" ? `done ${input.seq}` : input.kind))).toEqual([
      ...together.map((node, i) => `started ${i + 1} ${node}`),
      "done 1",
      "done 2",
      "done 3",
      "done 4",
      "started 5 after",
      "done 5",
    ]);
  });

  it("cut after their start record, run again as attempt 2, and nothing completed runs again", async () => {
    const { options, file, lines } = await finishedWave();
    const starts = lines.findIndex((line) => line.startsWith('{"t":"s","s":1,'));
    await cutJournal(file, lines, starts);
    const calls: string[] = [];
    expect(await waveTasks(calls).bpmnBuild(wave, options)).toEqual({ after: true });
    expect(calls).toEqual(rerun(lines));
    // and once their completions are on disk, only the task after them runs
    const completed = (await readFile(file, "utf8")).split("\n").filter(Boolean).map((line) => line.slice(0, line.lastIndexOf("\t")));
    await cutJournal(file, completed, completed.findIndex((line) => line.startsWith('{"t":"d","s":1,"to":4,')));
    calls.length = 0;
    expect(await waveTasks(calls).bpmnBuild(wave, options)).toEqual({ after: true });
    expect(calls).toEqual(["After 1"]);
  });

  it("in a journal of format 2 are one record each, and a resume writes it on in records of format 2", async () => {
    const { options, file, lines } = await finishedWave();
    const starts = lines.findIndex((line) => line.startsWith('{"t":"s","s":1,'));
    // as an older adhesive wrote it: version 2, one start record per task
    const format2 = [lines[0].replace(/"v":\d+/, '"v":2'), ...lines.slice(1, starts)];
    const group = JSON.parse(lines[starts]) as { s: number; n: string[]; at: number };
    for (const [i, node] of group.n.entries()) format2.push(JSON.stringify({ t: "s", s: group.s + i, n: node, at: group.at }));
    await cutJournal(file, format2, format2.length - 1);
    const calls: string[] = [];
    expect(await waveTasks(calls).bpmnBuild(wave, options)).toEqual({ after: true });
    expect(calls).toEqual(rerun(lines));
    const text = await readFile(file, "utf8");
    const records = text.split("\n").filter(Boolean).map((line) => JSON.parse(line.slice(0, line.lastIndexOf("\t"))) as { t: string; v?: number; n?: unknown; to?: unknown });
    expect(records[0].v).toBe(2);
    expect(records.filter((record) => Array.isArray(record.n) || record.to !== undefined)).toEqual([]);
    expect(records.filter((record) => record.t === "d")).toHaveLength(5);
  });
});
