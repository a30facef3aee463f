/*
 * parallel_processing: worker, through the real CLI: task functions run in
 * worker threads that import the same process file, so CPU-bound tasks run
 * at the same time on different cores.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, UsageError } from "../../src/index.js";
import { builtCli } from "../built-package.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const processFile = fileURLToPath(new URL("../fixtures/workers/cpu-bound.ts", import.meta.url));

interface Run {
  n: string;
  threadId: number;
  started: number;
  ended: number;
}

async function adhesive(env: Record<string, string>, file = processFile): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const bin = await builtCli();
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, file], { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe("parallel_processing: worker", () => {
  it("runs CPU-bound tasks at the same time in different worker threads, with their data, output and workspace", async () => {
    const tempFolder = await mkdtemp(join(tmpdir(), "adhesive-workers-"));
    // CRUNCH_TOGETHER: each task spins until another one has started, so two run at the same moment however slowly
    // the worker threads come up (rather than hoping it happens within the 400 ms each spins)
    const { code, stdout, stderr } = await adhesive({ ADHESIVE_PARALLEL_PROCESSING: "worker", ADHESIVE_POOL_SIZE: "2", CRUNCH_TOGETHER: "1", ADHESIVE_TEMP_FOLDER: tempFolder, ADHESIVE_RUNS_FOLDER: tempFolder });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const result = JSON.parse(/^result: (.*)$/m.exec(stdout)![1]) as { runs: Run[]; counts: Array<[string, number]>; cpuPerWall: number };
    const runs = result.runs.sort((a, b) => a.n.localeCompare(b.n));
    expect(runs.map((r) => r.n)).toEqual(["1", "2", "3", "4"]);
    // thread 0 is the main thread: every task ran in a worker, and two workers were used
    expect(runs.every((r) => r.threadId > 0)).toBe(true);
    expect(new Set(runs.map((r) => r.threadId)).size).toBe(2);
    // two CPU-bound tasks were running at the same moment on different threads (both cores busy, given two)
    const overlapping = runs.some((a) => runs.some((b) => a.threadId !== b.threadId && a.started < b.ended && b.started < a.ended));
    expect(overlapping).toBe(true);
    // Sets and Maps made by the workers came back and merged at the join
    expect(result.counts.sort()).toEqual([["1", 1], ["2", 1], ["3", 1], ["4", 1]]);
    console.info(`CPU time per wall time while the CPU-bound process ran: ${result.cpuPerWall.toFixed(2)}`);
    // console calls and files of the worker threads landed in the run's logs and workspace
    const [run] = await readdir(tempFolder);
    const logs = await readdir(join(tempFolder, run, "logs"));
    const logText = (await Promise.all(logs.map((file) => readFile(join(tempFolder, run, "logs", file), "utf8")))).join("");
    for (const n of ["1", "2", "3", "4"]) expect(logText).toMatch(new RegExp(`^crunched ${n} on thread [1-9]\\d*$`, "m"));
    expect((await readdir(join(tempFolder, run, "workspace"))).sort()).toEqual(["crunch-1.txt", "crunch-2.txt", "crunch-3.txt", "crunch-4.txt"]);
  });

  it("fails the run with the worker's error, naming the task", async () => {
    const { code, stderr } = await adhesive({ ADHESIVE_PARALLEL_PROCESSING: "worker", FAIL_IN_WORKER: "1" });
    expect(code).toBe(1);
    expect(stderr).toContain('process failed: task "Fail In Worker" (fail) failed: boom in a worker');
  });

  it("runs the tasks of a file's own Adhesive instance in worker threads too", async () => {
    const file = fileURLToPath(new URL("../fixtures/workers/own-instance.ts", import.meta.url));
    const { code, stdout, stderr } = await adhesive({ ADHESIVE_PARALLEL_PROCESSING: "worker", ADHESIVE_POOL_SIZE: "2" }, file);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const threads = JSON.parse(/^threads: (.*)$/m.exec(stdout)![1]) as number[];
    // thread 0 is the main thread
    expect(threads).toHaveLength(2);
    expect(threads.every((thread) => thread > 0)).toBe(true);
  });

  it("needs the process file the workers import", async () => {
    const run = new Adhesive().task(["Crunch 1", "Crunch 2", "Crunch 3", "Crunch 4", "Collect", "Fail In Worker"], () => undefined);
    const file = fileURLToPath(new URL("../fixtures/workers/cpu-bound.bpmn", import.meta.url));
    await expect(run.bpmnBuild(file, { parallelProcessing: "worker" })).rejects.toBeInstanceOf(UsageError);
  });
});
