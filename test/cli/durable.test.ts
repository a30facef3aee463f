/*
 * Durable runs through the real CLI (issue 12): a process with a chain,
 * parallel branches, a parallel loop, a sub-process, a timer and a scripted
 * user task is killed with SIGKILL at 14 random (seeded) points, and
 * `adhesive resume` is run until the run is done. Then: a task that had
 * completed at a kill never ran again, a task in flight at a kill ran at most
 * once more per kill, and the final data is that of an uninterrupted run.
 * No timing is asserted: the kill points only decide where runs stop.
 */
import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, readdir, symlink, writeFile } from "node:fs/promises";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seeded } from "../seeded.js";
import { bin, fixture } from "./run-cli.js";
import { builtPackage } from "../built-package.js";
import { parseJournal, type Journal } from "../../src/journal/reader.js";
import { decodeValue, type EncodedValue } from "../../src/journal/values.js";

const fixtures = fixture("durable/");
const KILLS = 14;

interface Project {
  dir: string;
  runs: string;
  calls: string;
}

async function project(): Promise<Project> {
  const dir = await mkdtemp(join(tmpdir(), "adhesive-durable-"));
  await cp(fixtures, dir, { recursive: true });
  await mkdir(join(dir, "node_modules"));
  await symlink(await builtPackage(), join(dir, "node_modules", "adhesive-bpmn"));
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "durable", type: "module", private: true }));
  return { dir, runs: join(dir, ".adhesive", "runs"), calls: join(dir, "calls.log") };
}

/** Where to kill a run: once its journal shows `completions` more completed tasks than when it started (0: once a task started), then `jitter` ms later. */
interface KillPoint {
  completions: number;
  jitter: number;
}

/**
 * Runs the CLI; with a kill point, kills it with SIGKILL there. Kill points
 * count the run's progress in its journal rather than time, so they land
 * inside the run (not while Node is still loading) and every resume makes
 * some progress, however fast the machine is.
 */
function cli(where: Project, args: string[], kill?: KillPoint): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // two tasks at once, as when the default pool was the CPU count: a run then needs more than 14 resumes, so every kill point lands inside it
  const child = spawn(process.execPath, [bin, ...args], { cwd: where.dir, env: { ...process.env, NO_COLOR: "1", CALLS: where.calls, ADHESIVE_RUNS_FOLDER: where.runs, ADHESIVE_POOL_SIZE: "2" } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let killer: NodeJS.Timeout | undefined;
  const before = kill === undefined ? undefined : progress(where);
  const watch = kill === undefined ? undefined : setInterval(() => {
    const now = progress(where);
    const reached = kill.completions === 0 ? now.starts > before!.starts : now.completions >= before!.completions + kill.completions;
    if (!reached || killer !== undefined) return;
    clearInterval(watch);
    killer = setTimeout(() => child.kill("SIGKILL"), kill.jitter);
  }, 5);
  // a run that never ends is killed (and fails the test: it counts as an extra kill); 300 s only caps a hang
  const stuck = setTimeout(() => child.kill("SIGKILL"), 300_000);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      clearInterval(watch);
      clearTimeout(killer);
      clearTimeout(stuck);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** Task starts and completions in the run's journal so far. */
function progress(where: Project): { starts: number; completions: number } {
  const runs = existsSync(where.runs) ? readdirSync(where.runs) : [];
  const file = runs.length === 1 ? join(where.runs, runs[0], "journal.ndjson") : undefined;
  const text = file !== undefined && existsSync(file) ? readFileSync(file, "utf8") : "";
  return { starts: text.split('{"t":"s"').length - 1, completions: text.split('{"t":"d"').length - 1 };
}

async function journalOf(where: Project): Promise<Journal | undefined> {
  const runs = existsSync(where.runs) ? await readdir(where.runs) : [];
  expect(runs.length).toBeLessThanOrEqual(1);
  if (runs.length === 0 || !existsSync(join(where.runs, runs[0], "journal.ndjson"))) return undefined;
  const file = join(where.runs, runs[0], "journal.ndjson");
  return parseJournal(await readFile(file, "utf8"), file);
}

/** seq → how often the task execution was called, from the process file's call log (key `<run>:<element>[loop]:<seq> <attempt>`). */
async function callsBySeq(where: Project): Promise<string[]> {
  const text = existsSync(where.calls) ? await readFile(where.calls, "utf8") : "";
  return text.split("\n").filter(Boolean).map((line) => line.split(" ")[0].split(":").pop()!);
}

function finalData(journal: Journal): unknown {
  expect(journal.end?.state).toBe("done");
  const data = decodeValue(journal.end!.data as EncodedValue) as Record<string, unknown>;
  return { ...data, built: [...(data.built as Set<string>)].sort(), tests: [...(data.tests as Map<string, number>)] };
}


describe("a run killed with SIGKILL at 14 random points, resumed each time", () => {
  it("never calls a completed task again, retries an in-flight one at most once per kill, and ends with the uninterrupted run's data", async () => {
    const reference = await project();
    const clean = await cli(reference, ["release.ts"]);
    expect({ code: clean.code, stderr: clean.stderr }).toEqual({ code: 0, stderr: "" });
    const expected = finalData((await journalOf(reference))!);

    const where = await project();
    const random = seeded(20261201);
    const completedAtKill: Array<Set<string>> = [];
    const inFlightAtKill: Array<Set<string>> = [];
    const callsAtKill: number[] = [];
    let kills = 0;
    for (let attempt = 0; attempt < KILLS + 10; attempt++) {
      const journal = await journalOf(where);
      if (journal?.end?.state === "done") break;
      const args = journal === undefined ? ["release.ts"] : ["resume"];
      const point = { completions: Math.floor(random() * 2), jitter: random() * 20 };
      const { code, stderr } = await cli(where, args, kills < KILLS ? point : undefined);
      if (code === 0) continue;
      expect(code, `adhesive ${args.join(" ")} ended with ${code}: ${stderr}`).toBeNull();
      kills++;
      const after = await journalOf(where);
      const done = new Set<string>();
      const running = new Set<string>();
      for (const input of after?.inputs ?? []) {
        if (input.kind === "started") running.add(String(input.seq));
        if (input.kind === "done" || input.kind === "failed") {
          running.delete(String(input.seq));
          done.add(String(input.seq));
        }
      }
      completedAtKill.push(done);
      inFlightAtKill.push(running);
      callsAtKill.push((await callsBySeq(where)).length);
    }
    const journal = (await journalOf(where))!;
    expect(kills).toBe(KILLS);
    expect(finalData(journal)).toEqual(expected);

    const calls = await callsBySeq(where);
    const seqs = [...new Set(journal.inputs.flatMap((input) => (input.kind === "started" ? [String(input.seq)] : [])))];
    expect(seqs).toHaveLength(35);
    for (const seq of seqs) {
      const made = calls.filter((s) => s === seq).length;
      const retries = inFlightAtKill.filter((running) => running.has(seq)).length;
      expect(made, `task #${seq}: called ${made} times, in flight at ${retries} kills`).toBeGreaterThanOrEqual(1);
      expect(made, `task #${seq}: called ${made} times, in flight at ${retries} kills`).toBeLessThanOrEqual(1 + retries);
    }
    // a task whose completion was on disk at a kill was never called after it
    for (let k = 0; k < completedAtKill.length; k++) {
      const later = calls.slice(callsAtKill[k]);
      for (const seq of completedAtKill[k]) expect(later, `task #${seq} ran again after kill ${k + 1}, though it had completed`).not.toContain(seq);
    }
    // the kills really landed inside tasks, so some were retried
    expect(inFlightAtKill.some((running) => running.size > 0)).toBe(true);
  }, 900_000);
});
