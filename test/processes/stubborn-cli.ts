/*
 * The built CLI running a "stubborn" process file: three commands at once,
 * one of which ignores SIGTERM, and a secret file in the workspace. The
 * tests that stop it (test/cli/signals.test.ts) or kill it
 * (supervisor.test.ts) look at the real process table through these.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { builtCli } from "../built-package.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = await builtCli();
const stubborn = fileURLToPath(new URL("../fixtures/cli/stubborn/_adhesive.ts", import.meta.url));
export const stubbornSsh = fileURLToPath(new URL("../fixtures/cli/stubborn-ssh.ts", import.meta.url));

export interface Cli {
  child: ChildProcess;
  mark: string;
  tempFolder: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const started: Cli[] = [];

/** Kills the CLIs started since the last call and their commands: a failed test must not leave them behind for the next ones (call it in afterEach). */
export function killStarted(): void {
  for (const cli of started.splice(0)) {
    cli.child.kill("SIGKILL");
    for (const line of processesOf(cli.mark)) killQuietly(Number(line.trim().split(/\s+/)[0]));
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

export const fakeBin = fileURLToPath(new URL("../fixtures/bin", import.meta.url));

/** Starts a stubborn fixture and waits until all three of its commands run. */
export async function startStubborn(env: Record<string, string> = {}, file = stubborn): Promise<Cli> {
  const mark = `4${Math.floor(Math.random() * 1e6)}.`;
  const tempFolder = await mkdtemp(join(tmpdir(), "adhesive-signals-"));
  const child = spawn(process.execPath, [bin, file], { cwd: root, env: { ...process.env, MARK: mark, ADHESIVE_TEMP_FOLDER: tempFolder, ...env } });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal === "SIGKILL" ? 137 : null))));
  started.push({ child, mark, tempFolder, stderr: () => stderr, exited });
  await waitFor(() => sleepsOf(mark) === 3, () => `the commands never started; stderr: ${stderr}`);
  return { child, mark, tempFolder, stderr: () => stderr, exited };
}

/** `ps` lines of the live (not zombie) processes of the run: its shells and sleeps, whose command lines hold the mark. */
export function processesOf(mark: string): string[] {
  const table = execFileSync("ps", ["-eo", "pid=,stat=,args="], { encoding: "utf8" });
  return table.split("\n").filter((line) => line.includes(`sleep ${mark}`) && !/^\s*\d+\s+Z/.test(line));
}

export function sleepsOf(mark: string): number {
  return processesOf(mark).filter((line) => /^\s*\d+\s+\S+\s+sleep /.test(line)).length;
}

/** Polls until `condition` holds; 60 s is only a failure cap (the CLI's start-up alone takes seconds on a loaded machine). */
export async function waitFor(condition: () => boolean, what: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function workspaceOf(tempFolder: string): Promise<string> {
  const runs = await readdir(tempFolder);
  expect(runs).toHaveLength(1);
  return join(tempFolder, runs[0], "workspace");
}

