/*
 * Issue 11, item 2: every place a secret used to leak past redaction, each
 * reproduced with the real CLI (built, ../built-package.ts, in a child
 * process) in a throw-away project with its secret under .adhesive/secrets/,
 * and real commands printing it.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { Adhesive, TaskError, withSecret, type Context } from "../../src/index.js";
import { clearSecrets } from "../../src/secrets/redact.js";
import { builtCli, builtPackage } from "../built-package.js";

const parallelJoin = fileURLToPath(new URL("../fixtures/engine/parallel-join.bpmn", import.meta.url));
const errorCodes = fileURLToPath(new URL("../fixtures/engine/error-codes.bpmn", import.meta.url));

const SECRET = "tok-3f9a8c1d-7e2b-40aa";
const HALVES = [SECRET.slice(0, 11), SECRET.slice(11)];

interface Project {
  dir: string;
  runs: string;
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** An ESM project folder with `.adhesive/secrets/token`, the given process files, and adhesive-bpmn resolvable from it. */
async function project(files: Record<string, string>, secret = SECRET): Promise<Project> {
  const dir = await mkdtemp(join(tmpdir(), "adhesive-leaks-"));
  await mkdir(join(dir, ".adhesive", "secrets"), { recursive: true });
  await writeFile(join(dir, ".adhesive", "secrets", "token"), `${secret}\n`);
  await mkdir(join(dir, "node_modules"));
  await symlink(await builtPackage(), join(dir, "node_modules", "adhesive-bpmn"));
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "leaks", type: "module", private: true }));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return { dir, runs: join(dir, "runs") };
}

/** Runs the CLI in the project (under `umask` when given), with its runs kept in the project. */
async function cli(where: Project, file: string, env: Record<string, string> = {}, umask?: string): Promise<Result> {
  const bin = await builtCli();
  const [command, args] = umask === undefined ? [process.execPath, [bin, file]] : ["/bin/sh", ["-c", `umask ${umask} && exec "$0" "$@"`, process.execPath, bin, file]];
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: where.dir, env: { ...process.env, HOME: where.dir, NO_COLOR: "1", ADHESIVE_TEMP_FOLDER: where.runs, ADHESIVE_RUNS_FOLDER: where.runs, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

/** Every log file of every run in the project, by path. */
async function logs(where: Project): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const run of await readdir(where.runs)) {
    const folder = join(where.runs, run, "logs");
    for (const file of await readdir(folder)) result[join(folder, file)] = await readFile(join(folder, file), "utf8");
  }
  return result;
}

function expectNoSecret(text: string): void {
  expect(text).not.toContain(SECRET);
  for (const half of HALVES) expect(text).not.toContain(half);
}

/* A process file: `tasks` is the body that declares Left and Right (Together does nothing), then one run of parallel-join.bpmn. */
function processFile(tasks: string, bpmn = parallelJoin): string {
  return `import { bpmnBuild, task, withSecret } from "adhesive-bpmn";
${tasks}
task("Together", () => undefined);
const data = await bpmnBuild(${JSON.stringify(bpmn)});
console.log("result: " + JSON.stringify(data));
`;
}

/* prints the secret file in two writes half a second apart: two reads of the pipe for sure */
const SPLIT_PRINT = `withSecret(ctx.workspace, "token", "token.txt", () => ctx.workspace.run("printf 'token: '; head -c ${HALVES[0].length} token.txt; sleep 0.5; tail -c +${HALVES[0].length + 1} token.txt; exit 3"))`;

describe("a secret printed in two pieces", () => {
  it("is masked in the log file, in the failed task's output block and in the CommandError (two writes, a sleep between)", async () => {
    const where = await project({ "split.ts": processFile(`task("Left", (ctx) => ${SPLIT_PRINT});\ntask("Right", () => undefined);`) });
    const { code, stdout, stderr } = await cli(where, "split.ts");
    expect(code).toBe(1);
    expect(stderr).toContain("output of the failed task:\n  | token: ********\n");
    expect(stderr).toContain("exited with code 3");
    expectNoSecret(stdout + stderr);
    const files = Object.values(await logs(where));
    expect(files).toEqual(["token: ********\n"]);
  });

  it("is masked when one write() of more than 64 KiB puts it across the 64 KiB pipe boundary (3 runs)", async () => {
    // one writeSync is one write(2) of 69 KiB; the reading side gets it in 64 KiB reads
    const writer = `const fs = require("fs");
const secret = fs.readFileSync("token.txt", "utf8").trim();
fs.writeSync(1, "x".repeat(65536 - 9) + secret + "y".repeat(4096) + "\\n");`;
    const tasks = `const writer = new URL("./big-write.cjs", import.meta.url).pathname;
task("Left", (ctx) => withSecret(ctx.workspace, "token", "token.txt", () => ctx.workspace.run(\`node \${writer}\`)));
task("Right", () => undefined);`;
    const runThrice = processFile(tasks).replace(/const data = await bpmnBuild\((.*)\);/, "for (let i = 0; i < 3; i++) await bpmnBuild($1);\nconst data = {};");
    const where = await project({ "big.ts": runThrice, "big-write.cjs": writer });
    const { code, stderr } = await cli(where, "big.ts");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const files = Object.values(await logs(where));
    expect(files).toHaveLength(3);
    for (const text of files) {
      expectNoSecret(text);
      expect(text).toBe(`${"x".repeat(65536 - 9)}********${"y".repeat(4096)}\n`);
    }
  });

  it("is masked in the live output of stdout: true, each line prefixed with its task", async () => {
    const where = await project({ "live.ts": processFile(`task("Left", (ctx) => ${SPLIT_PRINT}.catch(() => undefined));\ntask("Right", () => undefined);`) });
    const { code, stdout, stderr } = await cli(where, "live.ts", { ADHESIVE_STDOUT: "true" });
    expect(code).toBe(0);
    expect(stdout).toContain("[Left] token: ********\n");
    expectNoSecret(stdout + stderr);
  });

  it("is masked in worker threads too (parallel_processing: worker)", async () => {
    const where = await project({ "worker.ts": processFile(`task("Left", (ctx) => ${SPLIT_PRINT});\ntask("Right", () => undefined);`) });
    const { code, stdout, stderr } = await cli(where, "worker.ts", { ADHESIVE_PARALLEL_PROCESSING: "worker" });
    expect(code).toBe(1);
    expect(stderr).toContain("output of the failed task:\n  | token: ********\n");
    expectNoSecret(stdout + stderr + Object.values(await logs(where)).join(""));
  });
});

describe("a secret in what a task fails with", () => {
  afterEach(() => clearSecrets());

  /* reads the project's secret the way a task does, in the API's own process */
  const reading = (where: Project, fail: (value: string) => never) => (ctx: Context) =>
    withSecret(ctx.workspace, "token", "t", async () => fail((await ctx.workspace.readFile("t")).trim()), { projectFolder: where.dir });

  it("is masked in TaskError.message and .stack returned by the API, and in its causes", async () => {
    const where = await project({});
    const adhesive = new Adhesive();
    adhesive.task(
      "Left",
      reading(where, (value) => {
        throw new Error(`login refused for ${value}`, { cause: new Error(`server said: bad token ${value}`) });
      }),
    );
    adhesive.task(["Right", "Together"], () => undefined);
    const error = (await adhesive.bpmnBuild(parallelJoin, { tempFolder: where.runs }).catch((e: unknown) => e)) as TaskError;
    expect(error).toBeInstanceOf(TaskError);
    expect(error.message).toBe('task "Left" (left) failed: login refused for ********');
    expect(error.stack).toContain('TaskError: task "Left" (left) failed: login refused for ********\n    at ');
    const cause = error.cause as Error;
    expect(cause.stack).toContain("Error: login refused for ********\n    at ");
    expect((cause.cause as Error).message).toBe("server said: bad token ********");
    for (const text of [error.message, error.stack!, cause.message, cause.stack!, (cause.cause as Error).stack!]) expectNoSecret(text);
  });

  it("is masked when the task throws a string, in data._error of a catch-all boundary", async () => {
    const where = await project({});
    let seen: unknown;
    const adhesive = new Adhesive();
    adhesive.task(
      "Call Service",
      reading(where, (value) => {
        throw `no answer for ${value}`;
      }),
    );
    adhesive.task("Give Up", (ctx) => void (seen = ctx.data._error));
    adhesive.task(["Retry Later", "Handle Missing"], () => undefined);
    const data = await adhesive.bpmnBuild(errorCodes, { tempFolder: where.runs });
    expect(seen).toMatchObject({ message: "no answer for ********", task: "Call Service" });
    expectNoSecret(JSON.stringify(data));
  });

  it("is masked in the CLI's report of the TaskError (message, and the cause's stack)", async () => {
    const tasks = `task("Left", (ctx) => withSecret(ctx.workspace, "token", "t", async () => {
  const value = (await ctx.workspace.readFile("t")).trim();
  throw new Error("login refused for " + value, { cause: new Error("server said: bad token " + value) });
}));
task("Right", () => undefined);`;
    const where = await project({ "throws.ts": processFile(tasks) });
    const { code, stdout, stderr } = await cli(where, "throws.ts");
    expect(code).toBe(1);
    expect(stderr).toContain('task "Left" (left) failed: login refused for ********');
    expectNoSecret(stdout + stderr);
  });

  it("is masked in data._error caught by an error boundary, which still matches on the error's code", async () => {
    const tasks = `task("Call Service", (ctx) => withSecret(ctx.workspace, "token", "t", async () => {
  const value = (await ctx.workspace.readFile("t")).trim();
  throw Object.assign(new Error("timed out calling with " + value), { code: "TIMEOUT" });
}));
task(["Give Up", "Handle Missing"], () => undefined);
task("Retry Later", (ctx) => { ctx.data.seen = ctx.data._error; });`;
    const file = processFile(tasks, errorCodes).replace('task("Together", () => undefined);\n', "");
    const where = await project({ "boundary.ts": file });
    const { code, stdout, stderr } = await cli(where, "boundary.ts");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const data = JSON.parse(/^result: (.*)$/m.exec(stdout)![1]) as { seen: { message: string; stack: string; code: string; task: string } };
    expect(data.seen).toMatchObject({ message: "timed out calling with ********", code: "TIMEOUT", task: "Call Service" });
    expect(data.seen.stack).toContain("Error: timed out calling with ********\n    at ");
    expectNoSecret(stdout);
  });
});

describe("process.stdout.write and process.stderr.write in a task", () => {
  it("go to that task's log, masked across writes, and into the failed task's output block; outside tasks they pass through", async () => {
    const tasks = `process.stdout.write("before the run\\n");
task("Left", (ctx) => withSecret(ctx.workspace, "token", "t", async () => {
  const value = (await ctx.workspace.readFile("t")).trim();
  process.stdout.write("key: " + value.slice(0, 5));
  await new Promise((resolve) => setTimeout(resolve, 50));
  process.stdout.write(value.slice(5) + "\\n", () => process.stderr.write(Buffer.from("written\\n")));
  await new Promise((resolve) => setTimeout(resolve, 50));
  throw new Error("left gave up");
}));
task("Right", () => void setTimeout(() => process.stdout.write("from a timer the task started\\n"), 10));
setTimeout(() => process.stdout.write("from a timer outside the tasks\\n"), 0);`;
    const where = await project({ "writes.ts": processFile(tasks) });
    const { code, stdout, stderr } = await cli(where, "writes.ts");
    expect(code).toBe(1);
    expect(stdout).toContain("before the run\n");
    expect(stdout).toContain("from a timer outside the tasks\n");
    expect(stdout).not.toContain("key:");
    expect(stderr).toContain("output of the failed task:\n  | key: ********\n  | written\n");
    expectNoSecret(stdout + stderr);
    const files = await logs(where);
    const byTask = (name: string) => Object.entries(files).find(([path]) => path.includes(`/${name}.`))?.[1];
    expect(byTask("Left")).toBe("key: ********\nwritten\n");
    expect(byTask("Right")).toBe("from a timer the task started\n"); // the timer belongs to Right's async context
  });
});

describe("short secrets", () => {
  it.each(["a", "ab", "abc", "  ab \n"])("a secret of 1 to 3 characters (%j) is refused with ADHESIVE_SECRET_TOO_SHORT, never used", async (value) => {
    const tasks = `task("Left", (ctx) => withSecret(ctx.workspace, "token", "t", () => ctx.workspace.run("cat t")));\ntask("Right", () => undefined);`;
    const where = await project({ "short.ts": processFile(tasks) }, value);
    const { code, stderr } = await cli(where, "short.ts");
    expect(code).toBe(1);
    const length = value.trim().length;
    expect(stderr).toContain(`secret "token" in ${join(where.dir, ".adhesive", "secrets", "token")} is only ${length} character${length === 1 ? "" : "s"} long`);
    expect(stderr).toContain("at least 4 characters");
    expect(stderr).not.toContain("output of the failed task"); // the file was never written, nothing printed it
  });
});

describe("file modes", () => {
  it.each(["000", "022"])("logs are 0600 and run folders 0700 under umask %s", async (umask) => {
    const where = await project({ "modes.ts": processFile(`task(["Left", "Right"], (ctx) => ctx.workspace.run("echo hello"));`) });
    const { code, stderr } = await cli(where, "modes.ts", {}, umask);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const [run] = await readdir(where.runs);
    const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);
    for (const folder of ["", "workspace", "logs"]) expect(await mode(join(where.runs, run, folder)), folder || "the run folder").toBe("700");
    const files = Object.keys(await logs(where));
    expect(files).toHaveLength(2);
    for (const file of files) expect(await mode(file), file).toBe("600");
  });
});
