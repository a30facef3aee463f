/*
 * Damage to a journal (issue 18): 150 bytes of an interrupted run's journal,
 * at seeded offsets, each changed to another value in a copy of its run
 * folder. Every one is an error naming the journal and the byte offset of
 * the damaged record, wherever the journal is read: a resume (through the
 * API, and for some through the real CLI, which finds the run and does not
 * say "no run"), `adhesive runs show`, the runs list and retention (for a
 * run without its summary, which are made from the journal), the live view.
 * Never a TypeError, never the .bpmn blamed, never a resume with other data.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { scriptedUi } from "../../src/index.js";
import { printRun } from "../../src/cli/runs.js";
import { listRuns } from "../../src/runs/list.js";
import { planRetention } from "../../src/runs/retention.js";
import { viewRun } from "../../src/web/run-lookup.js";
import { seeded } from "../seeded.js";
import { builtCli, builtPackage } from "../built-package.js";
import { releaseTasks } from "./release-tasks.js";

const fixtures = fileURLToPath(new URL("../fixtures/durable/", import.meta.url));
const FLIPS = 150;
const THROUGH_THE_CLI = 4;
const CHECKED_AT_ONCE = 4;

async function cli(dir: string, runs: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const bin = await builtCli();
  return new Promise((resolve) =>
    execFile(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: "1", CALLS: join(dir, "calls.log"), ADHESIVE_RUNS_FOLDER: runs }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    ),
  );
}

/** What a read of the damaged journal threw: it must be the journal's error, naming the file and an offset at or before the changed byte. */
function expectDamage(thrown: unknown, file: string, at: number, where: string): void {
  expect(thrown, `${where}, byte ${at} changed`).toMatchObject({ code: "ADHESIVE_JOURNAL", name: "JournalError" });
  const message = (thrown as Error).message;
  expect(message.startsWith(`${file}: corrupt record at byte offset `), `${where}, byte ${at} changed: ${message}`).toBe(true);
  expect(Number(/byte offset (\d+)/.exec(message)![1]), `${where}, byte ${at} changed: ${message}`).toBeLessThanOrEqual(at);
}

async function thrownBy(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("a journal with a changed byte", () => {
  it(`is an error naming the journal and the byte offset, wherever it is read (${FLIPS} seeded offsets)`, async () => {
    // an interrupted run of the real CLI: a finished one, its end cut off as if the runner had died just before it
    const dir = await mkdtemp(join(tmpdir(), "adhesive-flips-"));
    await cp(fixtures, dir, { recursive: true });
    await mkdir(join(dir, "node_modules"));
    await symlink(await builtPackage(), join(dir, "node_modules", "adhesive-bpmn"));
    await writeFile(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    const runs = join(dir, "runs");
    const first = await cli(dir, runs, ["release.ts"]);
    expect(first.code, first.stderr).toBe(0);
    const [runId] = await readdir(runs);
    const journalFile = join(runs, runId, "journal.ndjson");
    const finished = await readFile(journalFile);
    const interrupted = finished.subarray(0, finished.lastIndexOf(10, finished.length - 2) + 1);
    expect(interrupted.toString().split("\n").at(-2)).not.toContain('"t":"end"');

    // the offsets and values drawn in order, then checked a few at a time: a check mostly waits on the file system (copying and removing the run folder)
    const random = seeded(150);
    const flips = Array.from({ length: FLIPS }, (_, flip) => {
      const at = Math.floor(random() * interrupted.length);
      return { flip, at, value: 1 + Math.floor(random() * 255) };
    });
    await inTurn(flips, CHECKED_AT_ONCE, async ({ flip, at, value }) => {
      const bytes = Buffer.from(interrupted);
      bytes[at] ^= value;
      const copy = await mkdtemp(join(tmpdir(), "adhesive-flip-"));
      await cp(join(runs, runId), join(copy, runId), { recursive: true, filter: (source) => !source.endsWith(".sock") });
      const file = join(copy, runId, "journal.ndjson");
      await writeFile(file, bytes);

      // resume through the API
      const resumed = thrownBy(releaseTasks().bpmnBuild(join(dir, "release.bpmn"), { runId, runsFolder: copy, tempFolder: join(copy, "temp"), force: true, ui: scriptedUi({ approved: true, reviewers: ["ana"] }) }));
      expectDamage(await resumed, file, at, "resume");
      // adhesive runs show
      const out = { write: () => true };
      expectDamage(await thrownBy(printRun(runId, { out, color: false, cwd: dir, runsFolder: copy })), file, at, "runs show");
      // the live view's page of the run, and (without its summary, made from the journal) the runs list and retention
      expectDamage(await thrownBy(rm(join(copy, runId, "run.json")).then(() => viewRun(runId, { runsFolder: copy, project: dir }))), file, at, "live view");
      const listed = await listRuns(copy, dir);
      expect(listed.runs).toEqual([]);
      expect(listed.unreadable).toHaveLength(1);
      expectDamage(new JournalErrorLike(listed.unreadable[0].problem), file, at, "runs list");
      const plan = await planRetention({ runsFolder: copy, tempFolder: copy, project: dir }, 0);
      expect(plan.removing).toEqual([]);
      expect(plan.unreadable.map((run) => run.id)).toEqual([runId]);

      // and through the real CLI: the run is found, and the damage named
      if (flip < THROUGH_THE_CLI) {
        await cp(join(runs, runId, "run.json"), join(copy, runId, "run.json"));
        const cliResume = await cli(dir, copy, ["resume", runId]);
        expect(cliResume.code, cliResume.stderr).toBe(2);
        expect(cliResume.stderr).toMatch(new RegExp(`^error: ${file.replace(/[.]/g, "\\.")}: corrupt record at byte offset \\d+: `));
        expect(cliResume.stderr).not.toMatch(/no run|\.bpmn|TypeError/);
      }
      await rm(copy, { recursive: true, force: true });
    });
  }, 300_000);
});

/** `fn` for each item, at most `width` at once; rejects with the first failure. */
async function inTurn<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) await fn(items[index]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/* the problem the runs list keeps for an unreadable run is the error's message */
class JournalErrorLike extends Error {
  readonly code = "ADHESIVE_JOURNAL";
  override readonly name = "JournalError";
}
