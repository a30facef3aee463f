/*
 * Given two installs of the packed tarball, copy A (the shared folder of
 * installed.ts, standing for a global install or another version) and copy
 * B (a project's own node_modules), when A's CLI runs a process file of B's
 * project, then the run is B's from start to end: A hands over to B's CLI,
 * which sees the runs the file starts with B, prints their task lines and
 * exits with their outcome, and a failure points at the user's file, with
 * B's frames in its stack.
 */
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { env, run, useInstalledPackage } from "./installed.js";

const installed = useInstalledPackage();
/* project B, with copy B in its node_modules */
let project: string;
let copyA: string;
let copyB: string;

beforeAll(async () => {
  project = await installed().project("project-b");
  await installed().installInto(project);
  copyA = join(installed().folder, "node_modules/adhesive-bpmn/");
  copyB = join(project, "node_modules/adhesive-bpmn/");
  await writeFile(
    join(project, "_adhesive.ts"),
    `import { processStart, task } from "adhesive-bpmn";
task("Greet", (ctx) => {
  ctx.data.greeted = "hello";
});
task("Break", () => {
  throw new Error("the disk is full");
});
task("Wait", (ctx) => new Promise((resolve) => ctx.signal.addEventListener("abort", resolve)));
const step = process.env.STEP ?? "Greet";
await processStart()
  .task(step)
  .processEnd()
  .build()
  .then(
    (data) => console.log("result:", JSON.stringify(data)),
    (error: Error & { cause?: Error }) => {
      console.log("stack:", error.cause?.stack);
      throw error;
    },
  );
`,
  );
}, 900_000);


/* copy A's CLI as a user runs a global install: through its bin link */
const binA = () => join(installed().folder, "node_modules/.bin/adhesive");

describe("copy A's CLI running a process file of a project that has copy B", () => {
  it("in the project's folder: the run happens and is waited for, its task lines printed, exit 0", async () => {
    const { code, stdout, stderr } = await run(binA(), [], project, { NO_COLOR: "1" });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("done  Greet");
    expect(stdout).toContain('result: {"greeted":"hello"}');
  });

  it("from another folder, naming the file: the file's project decides, not the working directory", async () => {
    const elsewhere = await installed().project("elsewhere");
    const { code, stdout, stderr } = await run(binA(), [join(project, "_adhesive.ts")], elsewhere, { NO_COLOR: "1" });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain('result: {"greeted":"hello"}');
  });

  it("a failing task: exit 1, the failure printed once at the user's line, the stack through copy B and not copy A", async () => {
    const { code, stdout, stderr } = await run(binA(), [], project, { NO_COLOR: "1", STEP: "Break" });
    expect(code).toBe(1);
    expect(stderr.match(/the disk is full/g)).toHaveLength(1);
    expect(stderr).toContain('process failed: task "Break" (task_1) failed: the disk is full (at _adhesive.ts:');
    const stack = stdout.slice(stdout.indexOf("stack:"));
    expect(stack).toContain(`${copyB}dist/`);
    expect(stack).not.toContain(copyA);
  });

  it("SIGTERM to it cancels the run and exits 143, as the project's own CLI does", async () => {
    const child = spawn(binA(), [], { cwd: project, env: { ...env, NO_COLOR: "1", STEP: "Wait" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (exitCode) => resolve(exitCode)));
    try {
      for (let i = 0; i < 200 && !output.includes("run   Wait"); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(output).toContain("run   Wait");
      child.kill("SIGTERM");
      expect(await exited).toBe(143);
      expect(output).toContain("interrupted: run interrupted: SIGTERM received");
    } finally {
      child.kill("SIGKILL");
    }
  });
});
