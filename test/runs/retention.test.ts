/*
 * Retention and `adhesive clean` (src/runs/retention.ts): only this
 * project's runs and workspaces, whatever else shares the temp folder; runs
 * started through the API alone and runs stopped by Ctrl-C are pruned like
 * any other; a run whose runner died without ending it is kept for
 * `adhesive resume`. Real CLI and API processes make the runs.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pruneOnce } from "../../src/runs/retention.js";
import { bin, fixture, root } from "../cli/run-cli.js";

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function ids(folder: string): Promise<string[]> {
  return (await readdir(folder).catch(() => [] as string[])).filter((name) => RUN_ID.test(name)).sort();
}

/** A project folder of its own (its runs go to its .adhesive/runs), sharing `temp` with others. */
async function project(temp: string): Promise<{ dir: string; runs: string; env: Record<string, string> }> {
  const dir = await mkdtemp(join(tmpdir(), "adhesive-project-"));
  return { dir, runs: join(dir, ".adhesive", "runs"), env: { ADHESIVE_TEMP_FOLDER: temp } };
}

/* the CLI in the project's folder; the test worker's ADHESIVE_RUNS_FOLDER (test/setup.ts) must not leak into it */
function cli(args: string[], where: { dir: string; env: Record<string, string> }) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const childEnv = { ...process.env, ...where.env };
    delete childEnv.ADHESIVE_RUNS_FOLDER;
    execFile(process.execPath, [bin, ...args], { cwd: where.dir, env: childEnv, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

function apiRun(env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ["--import", "tsx", fixture("runs/api-run.ts")], { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 }, (error, _out, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(),
    ),
  );
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("adhesive clean", () => {
  it("removes this project's runs and their workspaces, and nothing of another project sharing the temp folder", async () => {
    const temp = await mkdtemp(join(tmpdir(), "adhesive-shared-temp-"));
    const [mine, theirs] = [await project(temp), await project(temp)];
    for (const where of [mine, theirs]) expect((await cli([fixture("cli/pipeline.ts")], where)).code).toBe(0);
    // a folder named like a run that no project of this version made (an older adhesive's, someone else's)
    const stranger = join(temp, "00000000-0000-4000-8000-000000000000");
    await mkdir(join(stranger, "workspace"), { recursive: true });
    const [myRun] = await ids(mine.runs);
    const [theirRun] = await ids(theirs.runs);
    expect((await ids(temp)).sort()).toEqual([myRun, theirRun, "00000000-0000-4000-8000-000000000000"].sort());

    const cleaned = await cli(["clean"], mine);
    expect(cleaned.code).toBe(0);
    expect(cleaned.stdout).toContain(`removed ${myRun}  `);
    expect(cleaned.stdout).toContain(`removed 1 run folder (`);
    expect(cleaned.stdout).toContain(`under ${mine.runs} (workspaces under ${temp})`);
    expect(await ids(mine.runs)).toEqual([]);
    expect(await ids(theirs.runs)).toEqual([theirRun]);
    expect((await ids(temp)).sort()).toEqual([theirRun, "00000000-0000-4000-8000-000000000000"].sort());
    expect(existsSync(join(temp, theirRun, "workspace"))).toBe(true);
  }, 90_000);

  it("removes a workspace of this project whose run folder is gone", async () => {
    const temp = await mkdtemp(join(tmpdir(), "adhesive-orphan-"));
    const mine = await project(temp);
    expect((await cli([fixture("cli/pipeline.ts")], mine)).code).toBe(0);
    const [run] = await ids(mine.runs);
    await rm(join(mine.runs, run), { recursive: true });
    const dry = await cli(["clean", "--dry-run"], mine);
    expect(dry.stdout).toMatch(new RegExp(`^would remove ${run} .*a workspace whose run folder is gone$`, "m"));
    expect(await ids(temp)).toEqual([run]);
    await cli(["clean"], mine);
    expect(await ids(temp)).toEqual([]);
  }, 60_000);
});

describe("retention (keep_runs)", () => {
  it("prunes runs started through the API alone, with their workspaces", async () => {
    const base = await mkdtemp(join(tmpdir(), "adhesive-api-keep-"));
    const env = { RUNS_DIR: join(base, "runs"), WORKSPACES_DIR: join(base, "temp") };
    for (let i = 0; i < 3; i++) await apiRun({ ...env, KEEP: "10" });
    const before = await ids(env.RUNS_DIR);
    expect(before).toHaveLength(3);
    expect(await ids(env.WORKSPACES_DIR)).toEqual(before);
    const started = async (id: string) => (JSON.parse(await readFile(join(env.RUNS_DIR, id, "run.json"), "utf8")) as { startedAt: number }).startedAt;
    const oldest = (await Promise.all(before.map(async (id) => [id, await started(id)] as const))).sort((a, b) => a[1] - b[1]).map(([id]) => id);
    // a new process: as its first run starts, the runs that ended beyond keep_runs go, beside it (the newest of the three
    // stays unless the new run has ended by the time they are listed: then it is the newest)
    await apiRun({ ...env, KEEP: "1" });
    const after = await ids(env.RUNS_DIR);
    expect(after.filter((id) => !before.includes(id))).toHaveLength(1);
    expect(after.filter((id) => oldest.slice(0, 2).includes(id))).toEqual([]);
    expect(await ids(env.WORKSPACES_DIR)).toEqual(after);
  }, 60_000);

  it("prunes a run stopped by Ctrl-C like the others (one whose runner died is kept: test/runtime/resume.test.ts)", async () => {
    const temp = await mkdtemp(join(tmpdir(), "adhesive-ctrl-c-"));
    const mine = await project(temp);
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...mine.env, SLEEP_MARK: "30" };
    delete childEnv.ADHESIVE_RUNS_FOLDER;
    const child = spawn(process.execPath, [bin, fixture("cli/slow.ts")], { cwd: mine.dir, env: childEnv });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    // the tasks run once their start is journaled
    const run = await until("the run's tasks to start", async () => {
      const [id] = await ids(mine.runs);
      const journal = id === undefined ? "" : await readFile(join(mine.runs, id, "journal.ndjson"), "utf8").catch(() => "");
      return journal.includes('{"t":"s"') ? id : undefined;
    });
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    const listed = await cli(["runs"], mine);
    expect(listed.stdout).toMatch(new RegExp(`^${run} +interrupted `, "m"));
    const cleaned = await cli(["clean"], mine);
    expect(cleaned.stdout).toContain(`removed ${run}  `);
    expect(await ids(mine.runs)).toEqual([]);
    expect(await ids(temp)).toEqual([]);
  }, 60_000);
});

describe("orphan workspaces as runs start", () => {
  it("are looked for once an hour per project: the first start begins the hour, a start an hour later removes them", async () => {
    const base = await mkdtemp(join(tmpdir(), "adhesive-orphan-hour-"));
    const places = { runsFolder: join(base, "runs"), tempFolder: join(base, "temp"), project: base };
    const orphan = "0a0a0a0a-0000-4000-8000-000000000000";
    await mkdir(join(places.tempFolder, orphan, "workspace"), { recursive: true });
    // this project's, and its runner is gone: this pid with another start time is a pid reused since
    const marker = { runId: orphan, runsFolder: places.runsFolder, pid: process.pid, pidStart: -1 };
    await writeFile(join(places.tempFolder, orphan, "workspace.json"), JSON.stringify(marker));
    const hour = 60 * 60_000;
    const t0 = Date.parse("2026-01-01T00:00:00Z");

    expect((await pruneOnce(places, 20, t0))?.orphans).toEqual([]);
    expect((await pruneOnce(places, 20, t0 + 30 * 60_000))?.orphans).toEqual([]);
    expect(await ids(places.tempFolder)).toEqual([orphan]);
    expect(await readdir(places.runsFolder).catch(() => [])).toEqual([]);

    const plan = await pruneOnce(places, 20, t0 + hour);
    expect(plan?.orphans.map((run) => run.id)).toEqual([orphan]);
    expect(await ids(places.tempFolder)).toEqual([]);
  });

  it("remove the stamps of projects that have not started for a month when a look is due, and keep the others", async () => {
    const base = await mkdtemp(join(tmpdir(), "adhesive-orphan-stamps-"));
    const places = { runsFolder: join(base, "runs"), tempFolder: join(base, "temp"), project: base };
    await mkdir(places.tempFolder, { recursive: true });
    const day = 24 * 60 * 60_000;
    const t0 = Date.parse("2026-01-01T00:00:00Z");
    // the stamps folder is shared by every project on the machine, as it is for users
    const stamps = join(tmpdir(), "adhesive-orphan-scans");
    await mkdir(stamps, { recursive: true });
    const gone = join(stamps, `test-gone-${process.pid}`);
    const recent = join(stamps, `test-recent-${process.pid}`);
    await writeFile(gone, String(t0 - 31 * day));
    await writeFile(recent, String(t0 - day));
    await utimes(gone, new Date(t0 - 31 * day), new Date(t0 - 31 * day));
    await utimes(recent, new Date(t0 - day), new Date(t0 - day));

    await pruneOnce(places, 20, t0);
    expect([existsSync(gone), existsSync(recent)]).toEqual([true, true]);
    await pruneOnce(places, 20, t0 + 60 * 60_000);
    expect([existsSync(gone), existsSync(recent)]).toEqual([false, true]);
    await rm(recent, { force: true });
  });
});
