/*
 * A run's summary (run.json, src/runs/summary.ts): what `adhesive runs`,
 * retention, the resume hint and the live view read instead of journals.
 * It is written as the run goes and when it ends; a damaged one, or none
 * (a run of an older adhesive), is made again from the journal.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive } from "../../src/index.js";
import { listRuns, loadSummary } from "../../src/runs/list.js";
import { readSummary } from "../../src/runs/summary.js";
import { adhesive } from "../cli/run-cli.js";

const chain = fileURLToPath(new URL("../fixtures/durable/chain.bpmn", import.meta.url));

async function finishedRun(runId: string): Promise<{ runs: string; folder: string }> {
  const runs = await mkdtemp(join(tmpdir(), "adhesive-summary-"));
  await new Adhesive().task({ re: /.*/ }, () => undefined).bpmnBuild(chain, { runsFolder: runs, tempFolder: runs, runId });
  return { runs, folder: join(runs, runId) };
}

describe("a run's summary", () => {
  it("says how the run ended, with its counts and times, checksummed", async () => {
    const { folder } = await finishedRun("ended");
    const summary = (await readSummary(folder))!;
    expect(summary).toMatchObject({ version: 2, id: "ended", state: "done", processId: "chain", done: 3, failed: 0, inFlight: 0, journal: true, pid: process.pid });
    expect(summary.endedAt).toBeGreaterThanOrEqual(summary.startedAt);
    const text = await readFile(join(folder, "run.json"), "utf8");
    expect(JSON.parse(text)).toHaveProperty("checksum");
    // a changed byte: not this run's summary any more
    await writeFile(join(folder, "run.json"), text.replace('"done": 3', '"done": 4'));
    expect(await readSummary(folder)).toBeUndefined();
  });

  it("is made again from the journal when it is damaged or missing, and written for next time", async () => {
    const { runs, folder } = await finishedRun("remade");
    const written = await readFile(join(folder, "run.json"), "utf8");
    await writeFile(join(folder, "run.json"), written.replace('"state": "done"', '"state": "dune"'));
    expect(await loadSummary(folder, "/p")).toMatchObject({ id: "remade", state: "done", done: 3 });
    expect((await readSummary(folder))?.state).toBe("done");
    await rm(join(folder, "run.json"));
    const { runs: listed, unreadable } = await listRuns(runs, "/p");
    expect(unreadable).toEqual([]);
    expect(listed.map((run) => [run.id, run.summary.state, run.summary.done])).toEqual([["remade", "done", 3]]);
    expect(await readSummary(folder)).toMatchObject({ state: "done", project: "/p" });
  });

  it("is what `adhesive runs` lists, so a run whose journal is damaged is still listed, and `runs show` names the damage", async () => {
    const { runs, folder } = await finishedRun("listed");
    const file = join(folder, "journal.ndjson");
    const bytes = await readFile(file);
    const at = bytes.length - 20;
    bytes[at] ^= 0x20;
    await writeFile(file, bytes);
    const env = { ADHESIVE_RUNS_FOLDER: runs, NO_COLOR: "1" };
    const listed = await adhesive(["runs"], env);
    expect(listed.stdout).toMatch(/^listed +done +.* 3 done, 0 failed/m);
    const shown = await adhesive(["runs", "show", "listed"], env);
    expect(shown.code).toBe(2);
    expect(shown.stderr).toMatch(new RegExp(`^error: ${file.replace(/[.]/g, "\\.")}: corrupt record at byte offset \\d+: its checksum does not match`));
  }, 30_000);
});
