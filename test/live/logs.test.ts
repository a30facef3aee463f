/*
 * The log files the live view lists for a run (src/live/logs.ts): one per
 * task execution, each tied to the element it ran, also when the element's
 * name is a template whose rendered value had to be made file-safe.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive } from "../../src/index.js";
import { liveRuns } from "../../src/live/registry.js";
import { runFolderOf } from "./run-folder.js";

const pool = fileURLToPath(new URL("../fixtures/engine/pool.bpmn", import.meta.url));

describe("the logs of a run", () => {
  it("ties each iteration's log of `Job {loop.value}` to its element, and leaves out files that are no task's log", async () => {
    const adhesive = new Adhesive().task("Job {loop.value}", (ctx) => console.log(`building ${String(ctx.loop!.value)}`));
    const folder = await runFolderOf((tempFolder) => adhesive.bpmnBuild(pool, { inbox: true, tempFolder, runsFolder: tempFolder, initialData: { jobs: ["linux/arm64", "mac os"] } }));
    await writeFile(join(folder, "logs", "notes.txt"), "not a task's log\n");
    await writeFile(join(folder, "logs", "Deploy.99.log"), "a task of no element of this process\n");
    const run = liveRuns().find((live) => live.runFolder === folder);
    expect(run, "the run's LiveRun (it had an inbox)").toBeDefined();
    const logs = await run!.logs();
    expect(logs.map(({ task, elementId }) => ({ task, elementId })).sort((a, b) => a.task.localeCompare(b.task))).toEqual([
      { task: "Deploy", elementId: undefined },
      { task: "Job_linux_arm64", elementId: "job" },
      { task: "Job_mac_os", elementId: "job" },
    ]);
    expect(logs.filter((log) => log.elementId === "job").every((log) => log.bytes > 0)).toBe(true);
  });
});
