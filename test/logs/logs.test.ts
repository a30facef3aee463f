/*
 * What a task prints (its commands and its console calls) goes to its own
 * log file, is attached to the error when the task fails, and is streamed
 * live only with `stdout: true`.
 */
import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Adhesive, TaskError, withSecret, type Context } from "../../src/index.js";

const parallelJoin = fileURLToPath(new URL("../fixtures/engine/parallel-join.bpmn", import.meta.url));
const fiveParallel = fileURLToPath(new URL("../fixtures/messages/five-parallel.bpmn", import.meta.url));
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

async function logsOf(tempFolder: string, executionId: string): Promise<Record<string, string>> {
  const folder = join(tempFolder, executionId, "logs");
  const files = await readdir(folder);
  return Object.fromEntries(await Promise.all(files.map(async (file) => [file, await readFile(join(folder, file), "utf8")] as const)));
}

afterEach(() => vi.restoreAllMocks());

describe("per-task log capture", () => {
  it("keeps the output of tasks running at once apart, commands and console calls alike", async () => {
    const tempFolder = await mkdtemp(join(tmpdir(), "adhesive-logs-"));
    const adhesive = new Adhesive();
    let executionId = "";
    const chatty = async (ctx: Context) => {
      executionId = ctx.executionId;
      for (let i = 0; i < 3; i++) {
        console.log(`${ctx.taskName} says ${i}`);
        await ctx.workspace.run(`echo "${ctx.taskName} runs ${i}"; echo "${ctx.taskName} warns ${i}" >&2`);
        await tick();
      }
    };
    adhesive.task(["Left", "Right"], chatty);
    adhesive.task("Together", () => undefined);
    await adhesive.bpmnBuild(parallelJoin, { tempFolder, runsFolder: tempFolder });
    const logs = await logsOf(tempFolder, executionId);
    const names = Object.keys(logs).sort();
    expect(names).toHaveLength(2);
    expect(names[0]).toMatch(/^Left\.\d+\.log$/);
    expect(names[1]).toMatch(/^Right\.\d+\.log$/);
    for (const [file, text] of Object.entries(logs)) {
      const task = file.split(".")[0];
      const other = task === "Left" ? "Right" : "Left";
      for (let i = 0; i < 3; i++) {
        expect(text).toContain(`${task} says ${i}\n`);
        expect(text).toContain(`${task} runs ${i}\n`);
        expect(text).toContain(`${task} warns ${i}\n`);
      }
      expect(text).not.toContain(other);
    }
  });

  /*
   * A function that returned synchronously is called again without entering
   * the async context (its promise hooks slow every promise of the process):
   * what it prints until it returns still lands in its own log. The one call
   * that first returns a promise prints after its await to the terminal, not
   * to its log (event 3 here); from its next call the function is captured
   * across its awaits again. An async function is never called that way.
   */
  it("captures each call of a task whether it returns synchronously or turns asynchronous", async () => {
    const tempFolder = await mkdtemp(join(tmpdir(), "adhesive-logs-"));
    const adhesive = new Adhesive();
    let executionId = "";
    adhesive.message("Event", async function* () {
      for (let i = 0; i < 6; i++) yield { i };
    });
    adhesive.task("Task 1", (ctx: Context) => {
      executionId = ctx.executionId;
      const event = ctx.data.i as number;
      console.log(`event ${event} before`);
      if (event < 3) return undefined;
      return tick().then(() => console.log(`event ${event} after`));
    });
    adhesive.task({ re: /^Task [2-5]$|^Joined$/ }, () => undefined);
    await adhesive.bpmnBuild(fiveParallel, { tempFolder, runsFolder: tempFolder, poolSize: 1 });
    const logs = Object.values(await logsOf(tempFolder, executionId));
    expect(logs).toHaveLength(6);
    const byEvent = new Map(logs.map((text) => [Number(/event (\d+) before/.exec(text)![1]), text]));
    for (let i = 0; i < 6; i++) {
      expect(byEvent.get(i)).toMatch(new RegExp(`^event ${i} before\n`));
      expect(byEvent.get(i)!.split("\n").filter(Boolean)).toHaveLength(i < 3 ? 1 : i === 3 ? 1 : 2);
    }
  });

  it("writes no file for tasks that print nothing", async () => {
    const tempFolder = await mkdtemp(join(tmpdir(), "adhesive-logs-"));
    let executionId = "";
    const adhesive = new Adhesive().task(["Left", "Right", "Together"], (ctx) => void (executionId = ctx.executionId));
    await adhesive.bpmnBuild(parallelJoin, { tempFolder, runsFolder: tempFolder });
    expect(await logsOf(tempFolder, executionId)).toEqual({});
  });

  it("attaches what the failed task printed to its TaskError", async () => {
    const adhesive = new Adhesive();
    adhesive.task("Left", (ctx) => ctx.workspace.run("echo preparing; echo 'something broke' >&2; exit 3"));
    adhesive.task("Right", () => console.log("right is fine"));
    adhesive.task("Together", () => undefined);
    const error = await adhesive.bpmnBuild(parallelJoin).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).output).toBe("preparing\nsomething broke\n");
    expect((error as Error).message).toContain("exited with code 3");
  });

  it("streams task output live, prefixed with the task name, only with stdout: true", async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const run = (stdout: boolean) => {
      const adhesive = new Adhesive();
      adhesive.task("Left", (ctx) => ctx.workspace.run("echo from the shell"));
      adhesive.task("Right", () => console.log("from console.log"));
      adhesive.task("Together", () => undefined);
      return adhesive.bpmnBuild(parallelJoin, { stdout });
    };
    await run(false);
    expect(written.join("")).toBe("");
    await run(true);
    vi.restoreAllMocks();
    expect(written.join("")).toContain("[Left] from the shell\n");
    expect(written.join("")).toContain("[Right] from console.log\n");
  });

  it("gives the console and process.stdout/stderr.write back after the run", async () => {
    const before = [console.log, process.stdout.write, process.stderr.write];
    await new Adhesive().task(["Left", "Right", "Together"], () => undefined).bpmnBuild(parallelJoin);
    expect([console.log, process.stdout.write, process.stderr.write]).toEqual(before);
  });
});

describe("secrets in captured output", () => {
  it("masks a secret read with withSecret in the task's log and in the output attached to its error", async () => {
    const project = await mkdtemp(join(tmpdir(), "adhesive-secret-"));
    await mkdir(join(project, ".adhesive", "secrets"), { recursive: true });
    await writeFile(join(project, ".adhesive", "secrets", "token"), "s3cr3t-value-123\n");
    const tempFolder = await mkdtemp(join(tmpdir(), "adhesive-logs-"));
    const adhesive = new Adhesive();
    let executionId = "";
    adhesive.task("Left", async (ctx) => {
      executionId = ctx.executionId;
      await withSecret(ctx.workspace, "token", "token.txt", async () => {
        console.log(`using ${await ctx.workspace.readFile("token.txt")}`);
        await ctx.workspace.run("cat token.txt; exit 1");
      }, { projectFolder: project });
    });
    adhesive.task(["Right", "Together"], () => undefined);
    const error = await adhesive.bpmnBuild(parallelJoin, { tempFolder, runsFolder: tempFolder }).catch((e: unknown) => e);
    expect((error as TaskError).output).toBe("using ********\n\n********\n");
    const logs = Object.values(await logsOf(tempFolder, executionId)).join("");
    expect(logs).not.toContain("s3cr3t");
    expect(logs).toContain("********");
  });
});
