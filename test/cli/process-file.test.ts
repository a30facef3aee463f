/*
 * What the CLI runs and with which data: process files, folders, BPMN paths
 * relative to the process file, and --data; every mistake a one-line
 * explanation with exit 2, never a stack trace.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { adhesive, fixture, root } from "./run-cli.js";

const STACK_LINE = /^\s+at /m;

describe("which file adhesive runs", () => {
  it("resolves a relative BPMN path against the process file's folder, from any working directory", async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), "adhesive-cwd-"));
    // a hello.bpmn in the working directory must not be picked up instead
    await writeFile(join(elsewhere, "hello.bpmn"), "not the example");
    const { code, stdout, stderr } = await adhesive([join(root, "examples/hello/_adhesive.ts")], {}, elsewhere);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toContain("published: true");
  });

  it("names the absolute path it tried, and why there, when the BPMN file is missing", async () => {
    const { code, stderr } = await adhesive([fixture("cli/missing-bpmn.ts")]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${fixture("cli/nowhere.bpmn")}: 1 problem:`);
    expect(stderr).toContain(`no such file (bpmnBuild("nowhere.bpmn") resolves a relative path against ${fixture("cli")}, the folder of ${fixture("cli/missing-bpmn.ts")})`);
    expect(stderr).not.toMatch(STACK_LINE);
  });

  it("runs a folder's _adhesive file", async () => {
    const { code, stdout } = await adhesive(["examples/hello"]);
    expect(code).toBe(0);
    expect(stdout).toContain("published: true");
  });

  it("explains in one line, with exit 2, a BPMN file, a folder without a process file, a folder with two, and another kind of file", async () => {
    const two = await mkdtemp(join(tmpdir(), "adhesive-two-"));
    await writeFile(join(two, "_adhesive.ts"), "");
    await writeFile(join(two, "_adhesive.mjs"), "");
    const cases: Array<[string[], string]> = [
      [["examples/hello/hello.bpmn"], "error: examples/hello/hello.bpmn is a BPMN diagram, not a process file: run its process file (adhesive examples/hello/_adhesive.ts), or check the diagram with adhesive lint examples/hello/hello.bpmn\n"],
      [["examples"], "error: no process file in examples: expected one of _adhesive.ts, _adhesive.mts, _adhesive.cts, _adhesive.js, _adhesive.mjs, _adhesive.cjs\n"],
      [[two], `error: ${two} has 2 process files (_adhesive.ts, _adhesive.mjs): name the one to run\n`],
      [["README.md"], "error: README.md: not a process file: adhesive runs TypeScript or JavaScript (.ts, .mts, .cts, .js, .mjs, .cjs) that calls bpmnBuild() or build()\n"],
      [["verify", "examples/hello/hello.bpmn"], "error: examples/hello/hello.bpmn is a BPMN diagram, not a process file: run its process file (adhesive examples/hello/_adhesive.ts), or check the diagram with adhesive lint examples/hello/hello.bpmn\n"],
    ];
    for (const [args, message] of cases) {
      expect(await adhesive(args), args.join(" ")).toEqual({ code: 2, stdout: "", stderr: message });
    }
  });

  it("shows a bug in the process file as its message and the line in the user's file, not a stack trace", async () => {
    const { code, stderr } = await adhesive([fixture("cli/throws.ts")]);
    expect(code).toBe(1);
    expect(stderr).toBe("error: Cannot read properties of undefined (reading 'target') (at test/fixtures/cli/throws.ts:3)\n");
  });

  it("shows the whole stack of such a bug at log_level debug", async () => {
    const { code, stderr } = await adhesive([fixture("cli/throws.ts")], { ADHESIVE_LOG_LEVEL: "debug" });
    expect(code).toBe(1);
    expect(stderr).toMatch(STACK_LINE);
  });
});

describe("--data", () => {
  const run = (...data: string[]) => adhesive([fixture("cli/data"), ...data.flatMap((d) => ["--data", d])]);
  const finalData = (stdout: string) => JSON.parse(/^data: (.*)$/m.exec(stdout)![1]) as unknown;

  it("merges a JSON object over the initialData in the file: nested objects merge, other values are replaced", async () => {
    const { code, stdout } = await run('{"deploy": {"replicas": 3}, "env": "prod"}');
    expect(code).toBe(0);
    expect(finalData(stdout)).toEqual({ env: "prod", deploy: { region: "eu", replicas: 3 }, shown: true });
  });

  it("reads @file.json relative to the working directory, and applies several --data in order", async () => {
    const { code, stdout } = await run("@test/fixtures/cli/data/prod.json", '{"from": "command line"}');
    expect(code).toBe(0);
    expect(finalData(stdout)).toEqual({ env: "dev", deploy: { region: "eu", replicas: 3 }, from: "command line", shown: true });
  });

  it("without --data the file's initialData is used as written", async () => {
    expect(finalData((await run()).stdout)).toEqual({ env: "dev", deploy: { region: "eu", replicas: 1 }, shown: true });
  });

  it("exits 2 naming the option for invalid JSON, a value that is not an object, a missing file and a __proto__ key", async () => {
    const cases: Array<[string, string]> = [
      ['{"env": ', "error: --data: not valid JSON: "],
      ["[1, 2]", "error: --data: must be a JSON object ({\"key\": value, ...}), got an array\n"],
      ["@no-such.json", `error: --data @no-such.json: cannot read ${join(root, "no-such.json")}: no such file\n`],
      ['{"a": {"__proto__": {"admin": true}}}', 'error: --data: the key "__proto__" is not allowed (at $.a.__proto__)\n'],
    ];
    for (const [data, message] of cases) {
      const { code, stdout, stderr } = await run(data);
      expect({ code, stdout }, data).toEqual({ code: 2, stdout: "" });
      expect(stderr.startsWith(message), `${data}: ${stderr}`).toBe(true);
    }
  });

  it("exits 2 for data nested deeper than 256 levels, from a file 100,000 levels deep too, without a stack trace; 256 levels run", async () => {
    const nested = (levels: number) => `{"x": ${"[".repeat(levels - 1)}${"]".repeat(levels - 1)}}`;
    const folder = await mkdtemp(join(tmpdir(), "adhesive-deep-data-"));
    await writeFile(join(folder, "deep.json"), nested(100_000));
    for (const data of [nested(257), `@${join(folder, "deep.json")}`]) {
      const { code, stdout, stderr } = await run(data);
      expect({ code, stdout }, data.slice(0, 20)).toEqual({ code: 2, stdout: "" });
      expect(stderr).toMatch(/^error: --data( @\S+ \(\S+\))?: nested more than 256 levels deep \(objects and arrays within one another\): give it flatter\n$/);
    }
    const { code, stdout } = await run(nested(256));
    expect(code).toBe(0);
    expect(finalData(stdout)).toMatchObject({ env: "dev", x: expect.any(Array) });
  });
});
