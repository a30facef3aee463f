/*
 * Resuming runs through the real CLI (issue 12): each scenario's runner
 * dies with SIGKILL at a known point (test/fixtures/durable/scenarios.ts),
 * then `adhesive resume` continues it. What ran, how often and with which
 * attempt number is read from the process file's call log and the journal.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseJournal, type Journal } from "../../src/journal/reader.js";
import { builtCli, builtPackage } from "../built-package.js";

const fixtures = fileURLToPath(new URL("../fixtures/durable/", import.meta.url));

interface Project {
  dir: string;
  scenario: string;
}

async function project(scenario: string): Promise<Project> {
  const dir = await mkdtemp(join(tmpdir(), `adhesive-resume-${scenario}-`));
  await cp(fixtures, dir, { recursive: true });
  await mkdir(join(dir, "node_modules"));
  await symlink(await builtPackage(), join(dir, "node_modules", "adhesive-bpmn"));
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "resume", type: "module", private: true }));
  return { dir, scenario };
}

async function cli(where: Project, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const bin = await builtCli();
  return new Promise((resolve) => {
    const env = { ...process.env, NO_COLOR: "1", SCENARIO: where.scenario, CALLS: join(where.dir, "calls.log"), ADHESIVE_RUNS_FOLDER: join(where.dir, ".adhesive", "runs"), ADHESIVE_TEMP_FOLDER: join(where.dir, "tmp") };
    execFile(process.execPath, [bin, ...args], { cwd: where.dir, env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

async function calls(where: Project): Promise<string[]> {
  const file = join(where.dir, "calls.log");
  return existsSync(file) ? (await readFile(file, "utf8")).split("\n").filter(Boolean) : [];
}

async function journal(where: Project): Promise<Journal> {
  const runs = join(where.dir, ".adhesive", "runs");
  const [run] = await readdir(runs);
  const file = join(runs, run, "journal.ndjson");
  return parseJournal(await readFile(file, "utf8"), file);
}

/* the first run dies with SIGKILL (exit code null: killed) */
async function crashed(where: Project): Promise<void> {
  const first = await cli(where, ["scenarios.ts"]);
  expect(first.code, first.stderr).toBeNull();
}

describe("adhesive resume", () => {
  it("does not call completed tasks again and retries the one in flight with ctx.attempt 2, under the same run id", async () => {
    const where = await project("chain");
    await crashed(where);
    const hinted = await cli(where, ["runs"]);
    expect(hinted.stdout).toMatch(/interrupted +scenarios\.ts .* 1 done, 0 failed, 1 in flight/);
    // an interrupted run is never cleaned away: resuming it needs its journal
    const cleaned = await cli(where, ["clean"]);
    expect(cleaned.stdout).toMatch(/^kept [0-9a-f-]{36} .*running or resumable$/m);
    const { code, stderr } = await cli(where, ["resume"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(await calls(where)).toEqual(["First 1", "Middle 1", "Middle 2", "Last 1"]);
    const run = await journal(where);
    expect(run.end?.state).toBe("done");
    const shown = await cli(where, ["runs", "show", run.header.run.slice(0, 8)]);
    expect(shown.stdout).toMatch(/#2 +Middle \(middle\) .* done \(attempt 2\)/);
  });

  it("prints a one-line hint when the last run of the file was interrupted, and starts a new run", async () => {
    const where = await project("chain");
    await crashed(where);
    const { code, stderr } = await cli(where, ["scenarios.ts"]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^note: the last run of scenarios\.ts \(started .*\) was interrupted with 1 task\(s\) in flight; this starts a new one\. To continue that one instead: adhesive resume [0-9a-f-]{36}\n$/);
  });

  it("refuses a run whose process changed where its token stands, unless --force", async () => {
    const where = await project("chain");
    await crashed(where);
    const bpmn = join(where.dir, "chain.bpmn");
    await writeFile(bpmn, (await readFile(bpmn, "utf8")).replace('name="Middle"', 'name="Middle" default="f3"'));
    const refused = await cli(where, ["resume"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/the process changed where its tokens stand: element middle changed in the process; resume with --force/);
    expect(await calls(where)).toEqual(["First 1", "Middle 1"]);
    const forced = await cli(where, ["resume", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await calls(where)).toEqual(["First 1", "Middle 1", "Middle 2", "Last 1"]);
  });

  it("fails a task marked onInterrupted: fail instead of running it twice", async () => {
    const where = await project("no-retry-twice");
    await crashed(where);
    const { code, stderr } = await cli(where, ["resume"]);
    expect(code).toBe(1);
    expect(stderr).toContain('task "Middle" (middle) was running when the run was interrupted, and it is marked onInterrupted: "fail"');
    expect(await calls(where)).toEqual(["First 1", "Middle 1"]);
  });

  it("continues a failed run only with --retry, running its failed task again", async () => {
    const where = await project("retry");
    const first = await cli(where, ["scenarios.ts"]);
    expect(first.code).toBe(1);
    const refused = await cli(where, ["resume"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/no interrupted run .* \(adhesive runs lists the runs\)/);
    const [run] = await readdir(join(where.dir, ".adhesive", "runs"));
    const named = await cli(where, ["resume", run]);
    expect(named.stderr).toMatch(/it failed: .*the deployment target did not answer; resume it with --retry/);
    const retried = await cli(where, ["resume", "--retry"]);
    expect({ code: retried.code, stderr: retried.stderr }).toEqual({ code: 0, stderr: "" });
    expect(await calls(where)).toEqual(["First 1", "Middle 1", "Middle 2", "Last 1"]);
  });

  it("retries a failed task as often as --retry is given, until it is fixed, also after a retry was interrupted", async () => {
    const where = await project("retry-again");
    expect((await cli(where, ["scenarios.ts"])).code).toBe(1);
    for (let retry = 0; retry < 2; retry++) {
      const again = await cli(where, ["resume", "--retry"]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain("the deployment target did not answer");
    }
    expect(await calls(where)).toEqual(["First 1", "Middle 1", "Middle 2", "Middle 3"]);
    // the next retry is killed while its task runs: a plain resume continues it
    await writeFile(join(where.dir, "crash"), "");
    expect((await cli(where, ["resume", "--retry"])).code).toBeNull();
    await writeFile(join(where.dir, "fixed"), "");
    const fixed = await cli(where, ["resume"]);
    expect({ code: fixed.code, stderr: fixed.stderr }).toEqual({ code: 0, stderr: "" });
    expect(await calls(where)).toEqual(["First 1", "Middle 1", "Middle 2", "Middle 3", "Middle 4", "Middle 5", "Last 1"]);
    expect((await journal(where)).end?.state).toBe("done");
  });

  it("asks a user task whose form was open again", async () => {
    const where = await project("approval");
    await crashed(where);
    const { code, stdout, stderr } = await cli(where, ["resume"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toContain('result: {"ok":true}');
    expect(await calls(where)).toEqual(["First 1", "Approve 1", "Approve 2", "Last 1"]);
  });

  it("continues message instances, and restarts sources after the last event the journal recorded", async () => {
    const where = await project("orders");
    await crashed(where);
    const { code, stderr } = await cli(where, ["resume"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(await calls(where)).toEqual(["source from 0", "Handle 1 1", "Handle 2 1", "Handle 3 1", "source from 3", "Handle 3 2", "Handle 4 1", "Handle 5 1"]);
  });

  it("keeps timers' due times: a timer that fell due while the run was down fires once, and a cycle goes on from now", async () => {
    const where = await project("timer");
    await crashed(where);
    // down for longer than the timer and several periods of the cycle
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const { code, stderr } = await cli(where, ["resume"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const run = await journal(where);
    const resumedAt = run.notes.find((note) => note.t === "resume")!.at!;
    // the firings after the resume, per timer (the 0.5 s wait and the 0.2 s cycle), in order
    const firings = new Map<number, number[]>();
    for (const input of run.inputs) if (input.kind === "timer" && input.at >= resumedAt) firings.set(input.arm, [...(firings.get(input.arm) ?? []), input.at]);
    // the due 0.5 s timer fired once
    expect((await calls(where)).filter((call) => call.startsWith("After"))).toEqual(["After 1"]);
    // the missed cycle fired once at once, then went on from then: its k-th firing after that one comes
    // k periods (200 ms) after it or later, never as a burst of the periods missed while the run was down.
    // Times are when the firings were applied: a loaded machine can only make them later.
    for (const [, times] of firings) for (let k = 1; k < times.length; k++) expect(times[k] - times[0], `firing ${k} after the catch-up`).toBeGreaterThanOrEqual(k * 200);
  });
});
