/*
 * A run that fails while other tasks still run commands settles only once
 * those commands are dead and the tasks' own cleanup ran: nothing of the
 * run is left when build() rejects.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, TaskError, withSecret } from "../../src/index.js";
import { until } from "../waiting.js";

const parallelJoin = fileURLToPath(new URL("../fixtures/engine/parallel-join.bpmn", import.meta.url));

function sleeping(mark: string): string[] {
  const table = execFileSync("ps", ["-eo", "stat=,args="], { encoding: "utf8" });
  return table.split("\n").filter((line) => line.includes(`sleep ${mark}`) && !line.trim().startsWith("Z"));
}

describe("a run that fails while another task runs a command", () => {
  it("rejects only after that command (which ignores SIGTERM) is dead and its secret is removed", async () => {
    const project = await mkdtemp(join(tmpdir(), "adhesive-stopping-"));
    await mkdir(join(project, ".adhesive", "secrets"), { recursive: true });
    await writeFile(join(project, ".adhesive", "secrets", "token"), "stopping-secret\n");
    const mark = `5${Math.floor(Math.random() * 1e6)}.1`;
    let secretFile = "";
    let commandStarted!: () => void;
    const started = new Promise<void>((resolve) => (commandStarted = resolve));
    const adhesive = new Adhesive();
    adhesive.task("Left", async (ctx) => {
      await withSecret(ctx.workspace, "token", "token.txt", async (path) => {
        secretFile = join(ctx.workspace.pwd, path);
        const command = ctx.workspace.run(`trap '' TERM; sleep ${mark}`);
        commandStarted();
        await command;
      }, { projectFolder: project });
    });
    adhesive.task("Right", async () => {
      await started;
      await until(() => sleeping(mark).length > 0, "Left's command to run");
      throw new Error("the tests failed");
    });
    adhesive.task("Together", () => undefined);
    // Left and Right run at once, however few CPUs the default pool size counts (taskset -c 0: one)
    const error = await adhesive.bpmnBuild(parallelJoin, { tempFolder: project, poolSize: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).message).toContain('task "Right" (right) failed: the tests failed');
    expect(sleeping(mark)).toEqual([]);
    expect(secretFile).not.toBe("");
    expect(existsSync(secretFile)).toBe(false);
  });
});
