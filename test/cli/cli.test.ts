/*
 * The CLI as a user runs it: the real bin in a child process, with its exit
 * code, stdout and stderr.
 */
import { execFile, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { adhesive, bin, fixture, root } from "./run-cli.js";

const ESC = "\u001b[";

describe("adhesive --help, --version and bad usage", () => {
  it("prints the version from package.json", async () => {
    const { version } = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as { version: string };
    expect(await adhesive(["--version"])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it("prints the usage with every command", async () => {
    const { code, stdout } = await adhesive(["--help"]);
    expect(code).toBe(0);
    for (const command of ["adhesive [file", "adhesive verify", "adhesive lint", "adhesive types", "adhesive ui [--port N]", "--data"]) expect(stdout).toContain(command);
  });

  it("exits 2 on an unknown option and on a missing file", async () => {
    const unknown = await adhesive(["--frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--frobnicate");
    const missing = await adhesive(["no-such-file.ts"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no-such-file.ts: no such file");
  });
});

/* a duration as the CLI prints it (formatDuration): how long is up to the machine, a loaded one takes seconds */
const DURATION = String.raw`(<1ms|\d+ms|\d+\.\ds|\d+m\d+s)`;

describe("adhesive [file]", () => {
  it("runs a TypeScript process file and prints one line per task start and finish, without colours off a terminal", async () => {
    const { code, stdout } = await adhesive([fixture("cli/pipeline.ts")]);
    expect(code).toBe(0);
    expect(stdout).toContain('result: {"left":true,"right":true}');
    for (const task of ["Left", "Right", "Together"]) {
      expect(stdout).toMatch(new RegExp(`^run +${task}$`, "m"));
      expect(stdout).toMatch(new RegExp(`^done +${task} ${DURATION}$`, "m"));
    }
    expect(stdout).not.toContain(ESC);
    // no status line off a terminal: nothing is redrawn
    expect(stdout).not.toContain("\r");
    expect(stdout).toMatch(new RegExp(String.raw`^finished test/fixtures/engine/parallel-join\.bpmn in ${DURATION}: 3 done, 0 failed, 0 cancelled; run [0-9a-f-]{36}; logs \S+/logs$`, "m"));
  });

  it("colours the task lines on a terminal", async () => {
    // script(1) gives the CLI a pseudo-terminal as stdout
    const command = `${process.execPath} ${bin} ${fixture("cli/pipeline.ts")}`;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile("script", ["-qec", command, "/dev/null"], { cwd: root, timeout: 60_000 }, (error, out) => (error ? reject(error) : resolve(out)));
    });
    expect(stdout).toContain(`${ESC}32mdone`);
    expect(stdout).toContain(`${ESC}1mTogether`);
  });

  // the README example's run itself: test/examples.test.ts ("examples/hello: builds every platform in parallel, then publishes")

  it("fails the README example when --data gives its loop one platform instead of a list, instead of building it forever", async () => {
    const { code, stderr } = await adhesive(["examples/hello/_adhesive.ts", "--data", '{"platforms": "linux"}']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/process failed: task "Build linux" \(build\) failed: loop `platforms` on build is "linux": the same value and the same data after iteration \d, so it would repeat forever/);
  });

  it("exits 1 naming the failed task and its error", async () => {
    const { code, stdout, stderr } = await adhesive([fixture("cli/failing.ts")]);
    expect(code).toBe(1);
    // the line in the user's file that threw, not adhesive's
    expect(stdout).toMatch(/^fail +Right .*: the tests failed \(at test\/fixtures\/cli\/failing\.ts:7\)$/m);
    expect(stderr).toContain('process failed: task "Right" (right) failed: the tests failed (at test/fixtures/cli/failing.ts:7)\n');
    expect(stdout).toMatch(new RegExp(String.raw`^failed test/fixtures/engine/parallel-join\.bpmn at "Right" \(right\) after ${DURATION}: \d done, 1 failed, \d cancelled; run [0-9a-f-]{36}; logs `, "m"));
    // what the task printed was captured, not shown while it ran, and comes with the failure
    expect(stdout).not.toContain("3 of 12 tests failed");
    expect(stderr).toContain("output of the failed task:\n  | 3 of 12 tests failed\n");
  });

  it("prints a failed command's output once, after naming the command, the exit code and the user's line", async () => {
    const { code, stdout, stderr } = await adhesive([fixture("cli/failing-command.ts")]);
    expect(code).toBe(1);
    const command = 'command `for step in compile link; do echo "$step: started"; done; echo "link: missing symbol" >&2; exit 3` exited with code 3';
    expect(stdout).toContain(`: ${command} (at test/fixtures/cli/failing-command.ts:6)\n`);
    expect(stderr).toContain(`process failed: task "Right" (right) failed: ${command} (at test/fixtures/cli/failing-command.ts:6)\n`);
    expect(stderr).toContain("output of the failed task:\n  | compile: started\n  | link: started\n  | link: missing symbol\n");
    for (const line of ["compile: started", "link: started"]) expect((stdout + stderr).split(line)).toHaveLength(2);
  });

  it("warns once per run about implementations no element of the process matches, and runs the process all the same", async () => {
    const { code, stdout } = await adhesive([fixture("cli/unused.ts")]);
    expect(code).toBe(0);
    const warnings = stdout.split("\n").filter((line) => line.startsWith("warn"));
    // once, though three events each ran the tasks; the used implementations are not named
    expect(warnings).toEqual([
      'warn  unused task("Not Used Task") at test/fixtures/cli/unused.ts:9: matches no element of test/fixtures/messages/burst-join.bpmn',
      'warn  unused usertask("Not Used UserTask") at test/fixtures/cli/unused.ts:10: matches no element of test/fixtures/messages/burst-join.bpmn',
      'warn  unused lane("Not Used Lane") at test/fixtures/cli/unused.ts:11: matches no element of test/fixtures/messages/burst-join.bpmn',
    ]);
    expect(stdout).toMatch(/^finished test\/fixtures\/messages\/burst-join\.bpmn .*: 18 done, 0 failed, 0 cancelled, 3 events;/m);
  });

  it("warns about what the file draws that BPMN forbids, as lint does, and runs it as bpmn-engine would", async () => {
    const { code, stdout } = await adhesive([fixture("cli/dangling.ts")]);
    expect(code).toBe(0);
    expect(stdout.split("\n").filter((line) => line.startsWith("warn"))).toEqual([
      'warn  test/fixtures/cli/dangling.bpmn#Gateway_Feedback: exclusiveGateway "Ask for feedback?" has no outgoing sequence flow: a token that reaches it ends its path there; draw an end event after it',
    ]);
    expect(stdout).toMatch(/^finished test\/fixtures\/cli\/dangling\.bpmn .*: 1 done/m);
  });

  it("exits 2 before running anything when tasks have no single implementation", async () => {
    const { code, stdout, stderr } = await adhesive([fixture("cli/unmapped.ts")]);
    expect(code).toBe(2);
    expect(stdout).not.toContain("run ");
    expect(stderr).toContain("parallel-join.bpmn");
    expect(stderr).toContain('task "Right" (right): no implementation matches');
    expect(stderr).toContain('task "Together" (together): matched by 2 implementations');
  });

  it("exits 2 naming the file, element and reason for a broken BPMN file, without a stack trace", async () => {
    const { code, stderr } = await adhesive([fixture("cli/broken-bpmn.ts")]);
    expect(code).toBe(2);
    expect(stderr).toContain("dangling-flow.bpmn");
    expect(stderr).toMatch(/- \w+: sequence flow/);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it("cancels on SIGINT: kills the running command and exits 130", async () => {
    const mark = `${30 + Math.floor(Math.random() * 1000) / 1000}`;
    const child = spawn(process.execPath, [bin, fixture("cli/slow.ts")], { cwd: root, env: { ...process.env, SLEEP_MARK: mark } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor(() => sleepRunning(mark));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(130);
    expect(stderr).toContain("interrupted: run interrupted: SIGINT received\n");
    expect(stderr).not.toContain("run interrupted: run interrupted");
    expect(stdout).toMatch(/^stop +Left/m);
    expect(sleepRunning(mark)).toBe(false);
  });
});

describe("status on SIGUSR1", () => {
  it("prints every live token without stopping the run", async () => {
    const mark = `${31 + Math.floor(Math.random() * 1000) / 1000}`;
    const child = spawn(process.execPath, [bin, fixture("cli/slow.ts")], { cwd: root, env: { ...process.env, SLEEP_MARK: mark } });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    await waitFor(() => sleepRunning(mark));
    child.kill("SIGUSR1");
    await waitFor(() => stderr.includes("data:") && stderr.split("\n").filter((l) => l.startsWith("  #")).length >= 2);
    expect(stderr).toMatch(/^status .*parallel-join\.bpmn \([0-9a-f-]+\): 2 live tokens$/m);
    expect(stderr).toMatch(/^ {2}#\d+ Left \(left\): running; data: -$/m);
    expect(stderr).toMatch(/^ {2}#\d+ Together \(together\): waiting at a join; data: -$/m);
    expect(sleepRunning(mark)).toBe(true);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
  });
});

describe("configuration", () => {
  it("applies the project's .adhesive/config.yml and ADHESIVE_* variables to the run", async () => {
    const tempFolder = await mkdtemp(join(tmpdir(), "adhesive-cli-"));
    const { code, stdout, stderr } = await adhesive([], { ADHESIVE_TEMP_FOLDER: tempFolder, ADHESIVE_RUNS_FOLDER: tempFolder }, fixture("cli/configured"));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("hello from the plugin, tests; at most 1 task(s) at once");
    expect(stdout).toContain("goodbye from the folder plugin, tests");
    // log_level warning: no task lines; the task's own output went to its log, not the terminal
    expect(stdout).not.toMatch(/^(run|done) /m);
    expect(stdout).not.toContain("temp folder:");
    const runs = await readdir(tempFolder);
    expect(runs).toHaveLength(1);
    const logs = await readdir(join(tempFolder, runs[0], "logs"));
    expect(await readFile(join(tempFolder, runs[0], "logs", logs[0]), "utf8")).toBe(`temp folder: ${join(tempFolder, runs[0], "workspace")}\n`);
  });

  it("exits 2 naming the file and every bad key", async () => {
    const { code, stderr } = await adhesive([], {}, fixture("cli/misconfigured"));
    expect(code).toBe(2);
    expect(stderr).toContain(join(fixture("cli/misconfigured"), ".adhesive", "config.yml"));
    expect(stderr).toContain('pool_size must be a positive whole number, got "lots"');
    expect(stderr).toContain("colour");
  });
});

describe("adhesive lint", () => {
  it("says ok for runnable files and lists every problem with its element id otherwise", async () => {
    const { code, stdout } = await adhesive(["lint", fixture("engine/routing.bpmn"), fixture("bpmn/broken/unsupported-elements.bpmn")]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^ok +.*routing\.bpmn$/m);
    expect(stdout).toMatch(/^error .*unsupported-elements\.bpmn$/m);
    expect(stdout).toMatch(/^ {2}error {3}\w+: .*not supported/m);
  });

  it("exits 0 when every file can run and 2 without files", async () => {
    expect((await adhesive(["lint", fixture("engine/loop.bpmn")])).code).toBe(0);
    expect((await adhesive(["lint"])).code).toBe(2);
  });
});

function sleepRunning(mark: string): boolean {
  return listProcesses()
    .split("\n")
    .some((line) => line.trim() === `sleep ${mark}`);
}

function listProcesses(): string {
  // /proc is the process table on Linux; cmdline separates arguments with NUL
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      } catch {
        return "";
      }
    })
    .join("\n");
}

/** Polls every 100 ms; 60 s only caps a hang. */
async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
