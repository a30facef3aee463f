/*
 * Without the CLI (plain `node file.ts`), the runs of a process file start
 * under a default RunSession: the project's configuration and nothing else.
 * Given a project whose .adhesive/config.yml names its runs folder, when a
 * process file with an Adhesive instance of its own runs in it, then its
 * run's folder is there.
 */
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const file = fileURLToPath(new URL("../fixtures/cli/own-instance/_adhesive.ts", import.meta.url));

function node(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // the suite's own runs folder (test/setup.ts) would win over the project's configuration file
  const { ADHESIVE_RUNS_FOLDER: _, ...env } = process.env;
  return new Promise((resolve) =>
    // tsx with the repository's tsconfig, which sends "adhesive-bpmn" to src/, from any working directory
    execFile(process.execPath, ["--import", join(root, "src", "source-mode.mjs"), ...args], { cwd, env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    ),
  );
}

describe("the default run session (a process file run by plain node)", () => {
  it("runs every instance's runs with the project's configuration", async () => {
    const dir = await mkdtemp(join(tmpdir(), "adhesive-default-session-"));
    const runs = join(dir, "runs-from-config");
    await mkdir(join(dir, ".adhesive"));
    await writeFile(join(dir, ".adhesive", "config.yml"), `runs_folder: ${runs}\ntemp_folder: ${join(dir, "temp")}\n`);
    const { code, stdout, stderr } = await node([file], dir);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toBe('data: {"env":"dev","region":"eu","left":"ran","right":true}\n');
    expect(readdirSync(runs)).toHaveLength(1);
  });
});
