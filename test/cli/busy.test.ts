/*
 * Ctrl-C while JavaScript blocks the runner (issue 18, item 8), through the
 * real CLI: a task spinning in a synchronous loop, where signal handlers on
 * the event loop cannot run, and an expression whose regular expression
 * backtracks catastrophically. No timing is asserted: every wait polls for
 * what happened, with a bound far below how long the blocking code would
 * run by itself.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bin, fixture, root } from "./run-cli.js";

interface Cli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** the exit code (null until it exited) */
  code: () => number | null | undefined;
  exited: Promise<number | null>;
}

const started: Cli[] = [];
const marks: string[] = [];

afterEach(() => {
  for (const cli of started.splice(0)) cli.child.kill("SIGKILL");
  for (const mark of marks.splice(0)) for (const line of processesOf(mark)) killQuietly(Number(line.trim().split(/\s+/)[0]));
});

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

function start(args: string[], env: Record<string, string>): Cli {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, NO_COLOR: "1", ...env } });
  let stdout = "";
  let stderr = "";
  let code: number | null | undefined;
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (exitCode, signal) => {
      code = exitCode ?? (signal === null ? null : -1);
      resolve(code);
    }),
  );
  const cli = { child, stdout: () => stdout, stderr: () => stderr, code: () => code, exited };
  started.push(cli);
  return cli;
}

/** Polls every 50 ms, at most `tries` times: 60 s only caps a hang (the CLI alone takes seconds to start on a loaded machine). */
async function waitFor(condition: () => boolean, what: () => string, tries = 1200): Promise<void> {
  for (let i = 0; i < tries && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!condition()) throw new Error(`timed out: ${what()}`);
}

/** `ps` lines of the live (not zombie) `sleep <mark>…` processes. */
function processesOf(mark: string): string[] {
  const table = execFileSync("ps", ["-eo", "pid=,stat=,args="], { encoding: "utf8" });
  return table.split("\n").filter((line) => line.includes(`sleep ${mark}`) && !/^\s*\d+\s+Z/.test(line));
}

async function project(): Promise<{ env: Record<string, string>; spinning: string; finished: string; mark: string }> {
  const dir = await mkdtemp(join(tmpdir(), "adhesive-busy-"));
  const mark = `5${Math.floor(Math.random() * 1e6)}.`;
  marks.push(mark);
  const spinning = join(dir, "spinning");
  const finished = join(dir, "finished");
  const env = { MARK: mark, SPINNING_FILE: spinning, FINISHED_FILE: finished, ADHESIVE_TEMP_FOLDER: join(dir, "temp"), ADHESIVE_RUNS_FOLDER: join(dir, "runs") };
  return { env, spinning, finished, mark };
}

describe("a task spinning in synchronous code", () => {
  it("the first SIGINT says a task is busy, the second exits 130 at once; its command dies, and resume runs the task again", async () => {
    const where = await project();
    const cli = start([fixture("cli/busy.ts")], where.env);
    await waitFor(() => existsSync(where.spinning), () => `the task never started spinning; stderr: ${cli.stderr()}`);
    expect(processesOf(where.mark)).toHaveLength(1);

    cli.child.kill("SIGINT");
    await waitFor(() => cli.stderr().includes("SIGINT: a task is busy running synchronous code"), () => `no word of the busy task; stderr: ${cli.stderr()}`);
    expect(cli.code()).toBeUndefined();
    cli.child.kill("SIGINT");
    // bounded far below the ten minutes the task spins
    await waitFor(() => cli.code() !== undefined, () => `the CLI did not exit; stderr: ${cli.stderr()}`);
    expect(cli.code()).toBe(130);
    expect(existsSync(where.finished)).toBe(false);
    expect(cli.stderr()).not.toContain("Waiting for the debugger");
    // its supervisor kills the command once the runner is gone
    await waitFor(() => processesOf(where.mark).length === 0, () => processesOf(where.mark).join("\n"));

    const resumed = start(["resume"], where.env);
    expect(await resumed.exited).toBe(0);
    expect(readFileSync(where.finished, "utf8")).toBe("finished (resumed)\n");
    expect(resumed.stderr()).toBe("");
  });
});

describe("a script whose regular expression backtracks catastrophically", () => {
  it("fails within its time bound each round, and SIGINT cancels the run", async () => {
    const where = await project();
    const caught = join(where.env.ADHESIVE_TEMP_FOLDER, "..", "caught");
    const cli = start([fixture("cli/backtracking.ts")], { ...where.env, CAUGHT_FILE: caught });
    // the error boundary sends the token round again: it only ends when stopped
    await waitFor(() => existsSync(caught) && readFileSync(caught, "utf8").split("\n").length > 2, () => `no failed match was caught; stderr: ${cli.stderr()}`);
    expect(readFileSync(caught, "utf8")).toContain("its regular expressions did not finish within 1000 ms");
    cli.child.kill("SIGINT");
    await waitFor(() => cli.code() !== undefined, () => `the CLI did not exit; stderr: ${cli.stderr()}`);
    expect(cli.code()).toBe(130);
    expect(cli.stderr()).toContain("SIGINT: cancelling the running tasks");
  });
});
