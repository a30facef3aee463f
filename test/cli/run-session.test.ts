/*
 * The CLI's run session reaches every run of the process file, whichever
 * Adhesive instance starts it: a file with `new Adhesive()` (as docs/api.md's
 * keyed example) gets the configuration, --data, the task lines and the
 * summary, Ctrl-C and `adhesive resume` as a file of top-level task() calls
 * does. Through the real CLI; every wait polls for what happened.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readdirSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bin, fixture, root } from "./run-cli.js";

const file = fixture("cli/own-instance/_adhesive.ts");

interface Cli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const started: Cli[] = [];
const marks: string[] = [];

afterEach(() => {
  for (const cli of started.splice(0)) cli.child.kill("SIGKILL");
  for (const mark of marks.splice(0)) for (const line of sleepsOf(mark)) killQuietly(Number(line.trim().split(/\s+/)[0]));
});

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

function start(args: string[], env: Record<string, string>, cwd = root): Cli {
  // the suite's own runs folder (test/setup.ts) would win over a project's configuration file
  const { ADHESIVE_RUNS_FOLDER: _, ...inherited } = process.env;
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...inherited, NO_COLOR: "1", ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const cli = { child, stdout: () => stdout, stderr: () => stderr, exited };
  started.push(cli);
  return cli;
}

/** `ps` lines of the live processes of the command `sleep <mark>`: its shell and the sleep. */
function sleepsOf(mark: string): string[] {
  const table = execFileSync("ps", ["-eo", "pid=,stat=,args="], { encoding: "utf8" });
  return table.split("\n").filter((line) => line.includes(`sleep ${mark}`) && !/^\s*\d+\s+Z/.test(line));
}

/** Polls every 50 ms; 60 s only caps a hang (the CLI alone takes seconds to start on a loaded machine). */
async function waitFor(condition: () => boolean, what: () => string): Promise<void> {
  for (let i = 0; i < 1200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!condition()) throw new Error(`timed out: ${what()}`);
}

/** A runs folder and a temp folder of the test's own, given to the CLI as configuration (ADHESIVE_*). */
async function configured(): Promise<{ env: Record<string, string>; runs: string }> {
  const dir = await mkdtemp(join(tmpdir(), "adhesive-session-"));
  const runs = join(dir, "runs");
  return { env: { ADHESIVE_RUNS_FOLDER: runs, ADHESIVE_TEMP_FOLDER: join(dir, "temp") }, runs };
}

/** A project folder whose .adhesive/config.yml names its runs and temp folders. */
async function project(): Promise<{ dir: string; runs: string }> {
  const dir = await mkdtemp(join(tmpdir(), "adhesive-session-"));
  const runs = join(dir, "runs-from-config");
  await mkdir(join(dir, ".adhesive"));
  await writeFile(join(dir, ".adhesive", "config.yml"), `runs_folder: ${runs}\ntemp_folder: ${join(dir, "temp")}\n`);
  return { dir, runs };
}

describe("a process file with an Adhesive instance of its own, run by the CLI", () => {
  it("runs with the project's configuration file and --data, prints its task lines and the finished line", async () => {
    const { dir, runs } = await project();
    const cli = start([file, "--data", '{"env":"prod"}'], {}, dir);
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toContain('data: {"env":"prod","region":"eu","left":"ran","right":true}');
    expect(cli.stdout()).toMatch(/^done +Left/m);
    expect(cli.stdout()).toMatch(/^finished .*parallel-join\.bpmn in .*: 3 done, 0 failed, 0 cancelled; run ([0-9a-f-]{36})/m);
    // the run's folder is in the configured runs folder, not in .adhesive/runs of the project
    const id = /; run ([0-9a-f-]{36})/.exec(cli.stdout())![1];
    expect(readdirSync(runs)).toContain(id);
  });

  it("SIGINT stops its running command and interrupts it; adhesive resume continues that run", async () => {
    const { env, runs } = await configured();
    const mark = `6${Math.floor(Math.random() * 1e6)}.`;
    marks.push(mark);
    const cli = start([file], { ...env, MARK: mark });
    await waitFor(() => sleepsOf(mark).some((line) => /^\s*\d+\s+\S+\s+sleep /.test(line)), () => `the command never started; stderr: ${cli.stderr()}`);
    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(130);
    expect(sleepsOf(mark)).toEqual([]);
    expect(cli.stderr()).toContain("interrupted: run interrupted: SIGINT received");
    expect(cli.stdout()).toMatch(/^interrupted .*parallel-join\.bpmn after /m);
    const [id] = readdirSync(runs);

    const resumed = start(["resume", id], { ...env, MARK: mark });
    expect(await resumed.exited).toBe(0);
    expect(resumed.stdout()).toContain('"left":"resumed"');
    expect(resumed.stdout()).toContain(`run ${id}`);
    expect(readdirSync(runs)).toEqual([id]);
  });
});
