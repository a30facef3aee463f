/*
 * What the installed package starts beside the runner's own thread, from
 * the packed tarball installed into a fresh project (installed.ts): the
 * FEEL sandbox thread, the supervisor process that outlives a kill -9, the
 * stop signals with their exit codes, and the live view's server with its
 * page files. Each of them loads a file by URL at run time; one missing
 * from the tarball only shows here, never in a run from src/. The scenarios
 * are those of test/model/expressions.test.ts, test/cli/signals.test.ts and
 * test/processes/supervisor.test.ts (their stubborn fixture, copied) and
 * test/web/live-view.test.ts; worker threads are in package.test.ts.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, cp, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { env, run, useInstalledPackage } from "./installed.js";

const installed = useInstalledPackage();

interface Cli {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];
const marks: string[] = [];

// a failed test must not leave its CLI or its commands behind
afterEach(() => {
  for (const child of started.splice(0)) child.kill("SIGKILL");
  for (const mark of marks.splice(0)) for (const line of processesOf(mark)) killQuietly(Number(line.trim().split(/\s+/)[0]));
});

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** The installed CLI (node_modules/adhesive-bpmn/bin/adhesive.js) in `cwd`, as a child that runs on. */
function startCli(cwd: string, args: string[], extraEnv: Record<string, string> = {}): Cli {
  const child = spawn(process.execPath, [installed().bin, ...args], { cwd, env: { ...env, NO_COLOR: "1", ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal === "SIGKILL" ? 137 : null))));
  return { child, output: () => output, exited };
}

/** Polls `probe` every 100 ms, for up to 20 s, until it gives something. */
async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: () => string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = await probe();
    if (found !== undefined && found !== false) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out: ${what()}`);
}

/** `ps` lines of the live (not zombie) commands of a run: its shells and sleeps, whose command lines hold the mark. */
function processesOf(mark: string): string[] {
  const table = execFileSync("ps", ["-eo", "pid=,stat=,args="], { encoding: "utf8" });
  return table.split("\n").filter((line) => line.includes(`sleep ${mark}`) && !/^\s*\d+\s+Z/.test(line));
}

describe("FEEL expressions that run in the sandbox thread (matches, replace, split, for, some, every)", () => {
  it("give their values in a run of the installed CLI", async () => {
    const dir = await installed().project("feel");
    await writeFile(
      join(dir, "_adhesive.ts"),
      `import { processStart, task } from "adhesive-bpmn";
task("Double {loop.value}", (ctx) => {
  ctx.data.doubled = [...((ctx.data.doubled as number[] | undefined) ?? []), ctx.loop.value];
});
task("Only As", (ctx) => { ctx.data.onlyAs = true; });
task("Never", (ctx) => { ctx.data.never = true; });
const data = await processStart()
  .task("Double {loop.value}", { loop: { expression: '= for x in split(csv, ",") return number(x) * 2', sequential: true } })
  .task("Only As", { when: '= matches(name, "^a+$") and (some x in [1, 2] satisfies x > 1) and (every x in [1, 2] satisfies x > 0)' })
  .task("Never", { when: '= replace(name, "a", "b") = name' })
  .processEnd()
  .build({ initialData: { csv: "1,2,3", name: "aaa" } });
console.log("result:", JSON.stringify(data));
`,
    );
    const { code, stdout, stderr } = await run(process.execPath, [installed().bin], dir, { NO_COLOR: "1" });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain('result: {"csv":"1,2,3","name":"aaa","doubled":[2,4,6],"onlyAs":true}');
  });
});

/*
 * test/fixtures/cli/stubborn: two tasks in parallel, three commands (one
 * ignores SIGTERM), a secret file in the workspace and a lane to tear down,
 * copied into a project of the installed package with its diagram beside it.
 */
async function stubbornProject(name: string): Promise<string> {
  const dir = await installed().project(name);
  // the secret is the project's own, in .adhesive/secrets
  await cp(fileURLToPath(new URL("../fixtures/cli/stubborn", import.meta.url)), dir, { recursive: true });
  const fixture = join(dir, "_adhesive.ts");
  const diagramUrl = 'new URL("../../engine/parallel-join.bpmn", import.meta.url).pathname';
  const text = await readFile(fixture, "utf8");
  if (!text.includes(diagramUrl)) throw new Error(`${fixture} no longer loads its diagram with ${diagramUrl}: update this copy`);
  // a relative BPMN path resolves against the process file
  await writeFile(join(dir, "_adhesive.ts"), text.replace(diagramUrl, '"parallel-join.bpmn"'));
  await copyFile(fileURLToPath(new URL("../fixtures/engine/parallel-join.bpmn", import.meta.url)), join(dir, "parallel-join.bpmn"));
  return dir;
}

/** Starts the stubborn process with the installed CLI and waits until its three commands run; returns the CLI and the secret file. */
async function startStubborn(dir: string): Promise<{ cli: Cli; mark: string; secret: string }> {
  const mark = `5${Math.floor(Math.random() * 1e6)}.`;
  marks.push(mark);
  const tempFolder = await mkdtemp(join(dir, "temp-"));
  const cli = startCli(dir, [], { MARK: mark, ADHESIVE_TEMP_FOLDER: tempFolder });
  await waitFor(() => processesOf(mark).filter((line) => /^\s*\d+\s+\S+\s+sleep /.test(line)).length === 3, () => `the commands never started; output: ${cli.output()}`);
  const runs = await readdir(tempFolder);
  expect(runs).toHaveLength(1);
  const secret = join(tempFolder, runs[0], "workspace", "token.txt");
  expect(existsSync(secret)).toBe(true);
  return { cli, mark, secret };
}

describe("a stop signal to the installed CLI", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await stubbornProject("signals");
  });

  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    it(`${signal}: kills every command (one ignores SIGTERM), removes the secret, then exits ${code}`, async () => {
      const { cli, mark, secret } = await startStubborn(dir);
      cli.child.kill(signal);
      expect(await cli.exited).toBe(code);
      expect(processesOf(mark)).toEqual([]);
      expect(existsSync(secret)).toBe(false);
      expect(existsSync(join(secret, "../../lane-torn-down"))).toBe(true);
      expect(cli.output()).toContain(`interrupted: run interrupted: ${signal} received`);
    });
  }
});

describe("kill -9 of the installed CLI", () => {
  it("leaves its commands, the one ignoring SIGTERM too, and its withSecret file to the supervisor, which kills and removes them", async () => {
    const { cli, mark, secret } = await startStubborn(await stubbornProject("kill-9"));
    cli.child.kill("SIGKILL");
    expect(await cli.exited).toBe(137);
    const leftovers = () => [...processesOf(mark), ...(existsSync(secret) ? [secret] : [])];
    await waitFor(() => leftovers().length === 0, () => `left behind after the CLI's kill -9:\n${leftovers().join("\n")}`);
  });
});

/** A GET on the live view, with the token in its header. */
function get(url: URL, path: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: url.port, path, headers: { host: url.host, "x-adhesive-token": token } }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the installed CLI's live view (--ui)", () => {
  it("serves its page, static files and JSON API while the run waits, and the run then finishes", async () => {
    const dir = await installed().project("live-view");
    await writeFile(
      join(dir, "_adhesive.ts"),
      `import { access } from "node:fs/promises";
import { processStart, task } from "adhesive-bpmn";
task("Wait For Release", async () => {
  while (!(await access("release").then(() => true, () => false))) await new Promise((resolve) => setTimeout(resolve, 50));
});
console.log("result:", JSON.stringify(await processStart().task("Wait For Release").processEnd().build({ initialData: { order: 42 } })));
`,
    );
    const cli = startCli(dir, ["--ui"], { ADHESIVE_RUNS_FOLDER: join(dir, "runs") });
    const url = new URL(await waitFor(() => /live view: (http:\S+)/.exec(cli.output())?.[1], () => `no live view URL; output: ${cli.output()}`));
    const token = url.searchParams.get("token")!;
    type Listed = Array<{ id: string; state: string; live: boolean; running: number }>;
    const runs = async () => (JSON.parse((await get(url, "/api/runs", token)).body) as { runs: Listed }).runs;
    // the task is running once the run has journaled its start
    const listed = await waitFor(async () => {
      const now = await runs();
      return now[0]?.running === 1 ? now : undefined;
    }, () => `the run never showed its running task; output: ${cli.output()}`);
    expect(listed.map(({ state, live, running }) => ({ state, live, running }))).toEqual([{ state: "running", live: true, running: 1 }]);
    const { id } = listed[0];
    const state = JSON.parse((await get(url, `/api/runs/${id}`, token)).body) as { summary: { state: string } };
    expect(state.summary.state).toBe("running");
    expect((await get(url, `/api/runs/${id}/diagram`, token)).body).toContain("<bpmn:definitions");
    const page = await get(url, "/", token);
    expect(page.status).toBe(200);
    expect(page.body).toContain("<title>adhesive live view</title>");
    // the page's own files (dist/web/page) and bpmn-js's viewer from the project's node_modules
    for (const file of ["app.js", "style.css", "viewer.js", "bpmn-js.css"]) expect((await get(url, `/static/${file}`, token)).status, file).toBe(200);
    await writeFile(join(dir, "release"), "");
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toContain('result: {"order":42}');
  });
});
