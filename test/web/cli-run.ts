/*
 * The real CLI in a child process, in a project folder of its own (its run
 * folders under <project>/runs), for the live-view and inbox scenarios.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { builtCli } from "../built-package.js";

export const bin = await builtCli();
export const liveFixture = (name: string) => fileURLToPath(new URL(`../fixtures/live/${name}`, import.meta.url));

export interface CliRun {
  child: ChildProcess;
  project: string;
  env: NodeJS.ProcessEnv;
  stdout(): string;
  stderr(): string;
  /** resolves with what matched once stdout or stderr shows it */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
  /** the id of this process's run, once its folder has a run.json */
  runId(ms?: number): Promise<string>;
  /** lets the fixture's waiting task go on */
  release(): void;
  cleanup(): void;
}

/** Starts the CLI in `project` (default: a new folder), whose runs (journal, logs, live view files) go to <project>/runs; `extraEnv` adds to its environment. */
export function startCli(args: string[], project = mkdtempSync(join(tmpdir(), "adhesive-live-")), extraEnv: NodeJS.ProcessEnv = {}): CliRun {
  const env = { ...process.env, ADHESIVE_TEMP_FOLDER: join(project, "temp"), ADHESIVE_RUNS_FOLDER: join(project, "runs"), NO_COLOR: "1", ...extraEnv };
  const child = spawn(process.execPath, [bin, ...args], { cwd: project, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const until = async <T>(probe: () => T | undefined, what: string, ms: number): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nstdout:\n${out}\nstderr:\n${err}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  return {
    child,
    project,
    env,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern, ms = 60_000) => until(() => (pattern.exec(out) ?? pattern.exec(err)) ?? undefined, String(pattern), ms),
    runId: (ms = 60_000) =>
      until(
        () => {
          const folders = (() => {
            try {
              return readdirSync(join(project, "runs"));
            } catch {
              return [];
            }
          })();
          for (const folder of folders) {
            try {
              // the project may hold runs of earlier CLI processes
              const info = JSON.parse(readFileSync(join(project, "runs", folder, "run.json"), "utf8")) as { id: string; pid: number };
              if (info.pid === child.pid) return info.id;
            } catch {
              // not written yet
            }
          }
          return undefined;
        },
        "the run's run.json",
        ms,
      ),
    release: () => writeFileSync(join(project, "release"), ""),
    cleanup: () => {
      child.kill("SIGKILL");
      rmSync(project, { recursive: true, force: true });
    },
  };
}

/** Another CLI process (adhesive send / complete) in the same project. */
export function adhesiveIn(run: CliRun, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: run.project, env: run.env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
    });
  });
}
