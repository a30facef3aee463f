/*
 * process.exit() inside a run: the task (or script) that calls it fails with
 * ADHESIVE_PROCESS_EXIT, the CLI reports the failure and exits 1 after
 * tearing the lanes down; nothing reports success. Outside tasks, exit works.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, ProcessExitError, TaskError } from "../../src/index.js";
import { builtCli } from "../built-package.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

async function cli(exitFrom: "task" | "script" | "worker", tempFolder: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const bin = await builtCli();
  return new Promise((resolve) => {
    const env = { ...process.env, EXIT_FROM: exitFrom, ADHESIVE_TEMP_FOLDER: tempFolder, ADHESIVE_STDOUT: "true", ...(exitFrom === "worker" ? { ADHESIVE_PARALLEL_PROCESSING: "worker" } : {}) };
    execFile(process.execPath, [bin, fixture("cli/exits.ts")], { cwd: root, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe("process.exit(0) called inside a run, through the CLI", () => {
  for (const [from, task] of [["task", 'task "Left" (left)'], ["script", 'task "Quit" (quit)']] as const) {
    it(`from a ${from}: fails that task, exits 1, runs nothing after it and tears the lane down`, async () => {
      const tempFolder = await mkdtemp(join(tmpdir(), "adhesive-exit-"));
      const { code, stdout, stderr } = await cli(from, tempFolder);
      expect(code).toBe(1);
      expect(stderr).toContain(`process failed: ${task} failed: process.exit(0) was called inside a task`);
      expect(stdout).not.toContain("bpmnBuild resolved");
      expect(stdout).not.toMatch(/^done +(Together|Rest)/m);
      const [run] = await readdir(tempFolder);
      expect(existsSync(join(tempFolder, run, "lane-torn-down"))).toBe(true);
    });
  }


  it("from a task in a worker thread (parallel_processing: worker): fails that task, not the thread", async () => {
    const { code, stdout, stderr } = await cli("worker", await mkdtemp(join(tmpdir(), "adhesive-exit-")));
    expect(code).toBe(1);
    expect(stderr).toContain('process failed: task "Left" (left) failed: process.exit(0) was called inside a task');
    expect(stdout).not.toContain("bpmnBuild resolved");
  });
});

describe("process.exit() through the API", () => {
  it("rejects build with a TaskError caused by a ProcessExitError, and exit works again after the run", async () => {
    const adhesive = new Adhesive();
    adhesive.task("Left", () => process.exit(3));
    adhesive.task(["Right", "Together"], () => undefined);
    const error = await adhesive.bpmnBuild(fixture("engine/parallel-join.bpmn")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).cause).toBeInstanceOf(ProcessExitError);
    expect(((error as TaskError).cause as ProcessExitError).code).toBe("ADHESIVE_PROCESS_EXIT");
    expect(((error as TaskError).cause as ProcessExitError).exitCode).toBe(3);
    expect(process.exit.name).not.toBe("guardedExit");
  });
});
