/*
 * Given process files that start runs without awaiting them at the top
 * level, when the real CLI runs them, then it waits for every run and exits
 * with their outcome; a file that starts none exits 2 and says so.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "../run-cli.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/cli/unawaited/${name}`, import.meta.url));
const adhesive = (file: string) => runCli([file]);

describe("adhesive [file] waits for the runs the file starts", () => {
  it("waits for a run started with .then() and exits 0 after it", async () => {
    const { code, stdout, stderr } = await adhesive(fixture("then.ts"));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^done +Slow/m);
    expect(stdout).toContain('result: {"slow":true}');
  });

  it("waits for main().catch(): a second run started after file I/O that followed the first", async () => {
    const { code, stdout, stderr } = await adhesive(fixture("main-catch.ts"));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain('result: {"first":1,"second":2}');
  });

  it("exits 1 for a failed run nobody awaited, printing the failure once and no stack trace", async () => {
    const { code, stdout, stderr } = await adhesive(fixture("failing.ts"));
    expect(code).toBe(1);
    expect(stderr.match(/the disk is full/g)).toHaveLength(1);
    expect(stderr).toContain('process failed: task "Break"');
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stdout).not.toContain("never printed");
  });

  it("exits 2 with one line when the file starts no run", async () => {
    const { code, stdout, stderr } = await adhesive(fixture("no-run.ts"));
    expect(stdout).toContain("declared");
    expect(stderr).toBe(`adhesive: ${fixture("no-run.ts")} started no process: call bpmnBuild(), build() or processStart()...build() in it\n`);
    expect(code).toBe(2);
  });
});
