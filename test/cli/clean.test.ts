/*
 * Run folders (<temp_folder>/<executionId>) are not kept forever: keep_runs
 * applies when the CLI starts a run, and `adhesive clean` removes them on
 * demand. Real runs of the real CLI make the folders.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { adhesive, bin, fixture, root } from "./run-cli.js";
import { until } from "../waiting.js";

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function runs(tempFolder: string): Promise<string[]> {
  return (await readdir(tempFolder)).filter((name) => RUN_ID.test(name));
}

async function finishedRuns(count: number, env: Record<string, string>): Promise<void> {
  for (let i = 0; i < count; i++) expect((await adhesive([fixture("cli/pipeline.ts")], env)).code).toBe(0);
}

describe("run folder retention", () => {
  it("keeps the newest keep_runs finished runs when the CLI starts a run", async () => {
    const tempFolder = await mkdtemp(join(tmpdir(), "adhesive-keep-"));
    await finishedRuns(3, { ADHESIVE_TEMP_FOLDER: tempFolder, ADHESIVE_RUNS_FOLDER: tempFolder });
    const before = await runs(tempFolder);
    expect(before).toHaveLength(3);
    await finishedRuns(1, { ADHESIVE_TEMP_FOLDER: tempFolder, ADHESIVE_RUNS_FOLDER: tempFolder, ADHESIVE_KEEP_RUNS: "1" });
    const after = await runs(tempFolder);
    // the newest of the old ones, and the run that just finished
    expect(after).toHaveLength(2);
    expect(after.filter((id) => before.includes(id))).toHaveLength(1);
  });

  it("adhesive clean --dry-run lists what it would remove; clean removes finished runs and nothing that is not a run", async () => {
    const tempFolder = await mkdtemp(join(tmpdir(), "adhesive-clean-"));
    const env = { ADHESIVE_TEMP_FOLDER: tempFolder, ADHESIVE_RUNS_FOLDER: tempFolder };
    await finishedRuns(3, env);
    await mkdir(join(tempFolder, "my-notes"));

    const dry = await adhesive(["clean", "--dry-run", "--keep", "1"], env);
    expect(dry.code).toBe(0);
    // a run folder holds its logs, its run.json and the live view's files (view.json, the process it ran)
    expect(dry.stdout.match(/^would remove [0-9a-f-]{36} {2}(just now|\d+ min ago), \d+(\.\d+)? (B|KB)$/gm)).toHaveLength(2);
    expect(dry.stdout).toContain(`would remove 2 run folders (`);
    expect(dry.stdout).toContain(`under ${tempFolder}; kept the newest 1 finished run\n`);
    expect(await runs(tempFolder)).toHaveLength(3);

    const clean = await adhesive(["clean"], env);
    expect(clean.code).toBe(0);
    expect(clean.stdout.match(/^removed [0-9a-f-]{36} /gm)).toHaveLength(3);
    expect(await runs(tempFolder)).toEqual([]);
    expect(existsSync(join(tempFolder, "my-notes"))).toBe(true);
    expect((await adhesive(["clean"], env)).stdout).toBe(`nothing to remove under ${tempFolder}\n`);
  });

  it("never removes the folder of a run that is still going", async () => {
    const tempFolder = await mkdtemp(join(tmpdir(), "adhesive-busy-"));
    // the run's command lasts an hour: it is still going when clean looks, however slow the machine; SIGINT ends it
    const env = { ...process.env, ADHESIVE_TEMP_FOLDER: tempFolder, ADHESIVE_RUNS_FOLDER: tempFolder, SLEEP_MARK: "3600" };
    const child = spawn(process.execPath, [bin, fixture("cli/slow.ts")], { cwd: root, env });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      await until(async () => (await runs(tempFolder)).length > 0, "the run's folder", 60_000, 100);
      const [running] = await runs(tempFolder);
      const { code, stdout } = await adhesive(["clean"], { ADHESIVE_TEMP_FOLDER: tempFolder, ADHESIVE_RUNS_FOLDER: tempFolder });
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^kept ${running} .*running or resumable`, "m"));
      expect(stdout).toContain("nothing to remove");
      expect(await runs(tempFolder)).toEqual([running]);
    } finally {
      child.kill("SIGINT");
      await exited;
    }
  });

  it("exits 2 for a --keep that is not a count", async () => {
    const { code, stderr } = await adhesive(["clean", "--keep", "all"]);
    expect(code).toBe(2);
    expect(stderr).toBe("error: adhesive clean --keep all: expected a whole number, 0 or more (how many of the newest finished runs to keep)\n");
  });
});
