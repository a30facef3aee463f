/*
 * One owner per run (src/runs/owner): two `adhesive resume` of the same
 * interrupted run started together never both run it; and a runner stopped
 * with SIGSTOP, taken over once its lease ran out, writes nothing more when
 * it wakes up. Real CLI processes, real files; the delays between the two
 * resumes are seeded, and nothing is timed: the test waits (bounded) for
 * what happened, such as a task's call or the lease's last renewal.
 */
import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { seeded } from "../seeded.js";
import { bin, fixture } from "../cli/run-cli.js";
import { builtPackage } from "../built-package.js";

const fixtures = fixture("durable/");
const PAIRS = 12;

interface Cli {
  pid: number;
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
}

function cli(dir: string, args: string[], env: Record<string, string> = {}): Cli {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1", CALLS: join(dir, "calls.log"), ADHESIVE_RUNS_FOLDER: join(dir, ".adhesive", "runs"), ADHESIVE_TEMP_FOLDER: join(dir, "tmp"), ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const stuck = setTimeout(() => child.kill("SIGKILL"), 90_000);
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(stuck);
      resolve({ code, stdout, stderr });
    }),
  );
  return { pid: child.pid!, exited, kill: (signal) => child.kill(signal) };
}

async function project(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "adhesive-owner-"));
  await cp(fixtures, dir, { recursive: true });
  await mkdir(join(dir, "node_modules"));
  await symlink(await builtPackage(), join(dir, "node_modules", "adhesive-bpmn"));
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "owner", type: "module", private: true }));
  return dir;
}

async function calls(dir: string): Promise<string[]> {
  const file = join(dir, "calls.log");
  return existsSync(file) ? (await readFile(file, "utf8")).split("\n").filter(Boolean) : [];
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, tries = 1200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function runFolder(dir: string): Promise<string> {
  const runs = join(dir, ".adhesive", "runs");
  const [run] = await readdir(runs);
  return join(runs, run);
}

const REFUSED = /^error: run [0-9a-f-]{36}: (it is still running \(pid \d+\)|another process is taking it over right now|it finished on .*: there is nothing to resume)\n$/;

describe("one owner per run", () => {
  it(`two adhesive resume started together: exactly one runs it, the other is refused, and no task runs twice (${PAIRS} seeded pairs)`, async () => {
    // an interrupted run: its runner killed with SIGKILL while Middle runs
    const crashed = await project();
    const first = cli(crashed, ["owned.ts"], { WAIT_FOR_GO: "1" });
    await until("Middle to start", async () => ((await calls(crashed)).includes("Middle 1") ? true : undefined));
    first.kill("SIGKILL");
    expect((await first.exited).code).toBeNull();
    const random = seeded(182);
    for (let pair = 0; pair < PAIRS; pair++) {
      const dir = await mkdtemp(join(tmpdir(), "adhesive-pair-"));
      // the dead runner's control socket is left behind: a socket cannot be copied, and nobody listens on it
      await cp(join(crashed, ".adhesive"), join(dir, ".adhesive"), { recursive: true, filter: (source) => !source.endsWith(".sock") });
      await cp(join(crashed, "calls.log"), join(dir, "calls.log"));
      // resumed, Middle takes a while, so the second resume comes while the first runs (or before it claimed the run)
      // by its id: `adhesive resume` alone would not take a run another resume is running (it is not interrupted any more)
      const id = basename(await runFolder(dir));
      const env = { MIDDLE_MS: "1500" };
      const a = cli(dir, ["resume", id], env);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 600)));
      const b = cli(dir, ["resume", id], env);
      const results = [await a.exited, await b.exited];
      const ran = results.filter((result) => result.code === 0);
      const refused = results.filter((result) => result.code !== 0);
      expect(ran, `pair ${pair}: ${JSON.stringify(results)}`).toHaveLength(1);
      expect(refused[0].code, `pair ${pair}: ${refused[0].stderr}`).toBe(2);
      expect(refused[0].stderr, `pair ${pair}`).toMatch(REFUSED);
      expect(await calls(dir), `pair ${pair}`).toEqual(["First 1", "Middle 1", "Middle 2", "Last 1"]);
    }
  }, 600_000);

  it("a runner stopped with SIGSTOP and taken over once its lease ran out writes nothing more when it wakes up, and stops saying why", async () => {
    const dir = await project();
    const lease = { LEASE_MS: "1000" };
    const owner = cli(dir, ["owned.ts"], { ...lease, WAIT_FOR_GO: "1" });
    await until("Middle to start", async () => ((await calls(dir)).includes("Middle 1") ? true : undefined));
    const folder = await runFolder(dir);
    owner.kill("SIGSTOP");
    // the owner renews its claim by touching it; stopped, it cannot
    await until("the stopped owner's lease to run out", async () => {
      const renewed = (await stat(join(folder, "owners", "1"))).mtimeMs;
      return Date.now() - renewed > 1500 ? true : undefined;
    });
    // by its id: stopped, its runner lives, so the run is not listed as interrupted
    const taker = cli(dir, ["resume", basename(folder)], lease);
    const taken = await taker.exited;
    expect({ code: taken.code, stderr: taken.stderr }).toEqual({ code: 0, stderr: "" });
    expect(await calls(dir)).toEqual(["First 1", "Middle 1", "Middle 2", "Last 1"]);
    const journal = await readFile(join(folder, "journal.ndjson"));
    const summary = await readFile(join(folder, "run.json"), "utf8");
    expect(journal.toString()).toContain(`"takenFrom":{"pid":${owner.pid}`);
    // awake, its Middle can finish: it must not record that, nor go on to Last
    await writeFile(join(dir, "go"), "");
    owner.kill("SIGCONT");
    const woken = await owner.exited;
    expect(woken.code).toBe(2);
    expect(woken.stderr).toMatch(/^error: run [0-9a-f-]{36}: another process \(pid \d+\) took the run over \(epoch 2\) while this one did not renew its lease for 1 s \(it was stopped or too busy\); this process stops without writing anything more to the run\n/m);
    expect(await readFile(join(folder, "journal.ndjson"))).toEqual(journal);
    expect(await readFile(join(folder, "run.json"), "utf8")).toBe(summary);
    expect((await calls(dir)).filter((call) => call.startsWith("Last"))).toEqual(["Last 1"]);
  }, 120_000);
});
