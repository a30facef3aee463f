/*
 * Given a release process with every kind of named element, when
 * `adhesive types` writes its names, then the real `tsc --strict` rejects a
 * project's misspelt task(), usertask(), message() and gateway() names and
 * shows the names it could have meant, compiles the right ones, and without
 * the file accepts any name as before.
 *
 * The project imports adhesive-bpmn as a user's does, through the declaration
 * file the package ships (dist/index.d.ts of the build the CLI tests run,
 * ../built-package.ts), so tsc checks only the project.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtPackage } from "../built-package.js";
import { adhesive, fixture, root } from "./run-cli.js";

const tsc = join(root, "node_modules/typescript/bin/tsc");
const release = fixture("cli/types/release.bpmn");

function run(args: readonly string[], cwd: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, timeout: 240_000 }, (error, stdout) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout });
    });
  });
}

/* every name as the process has it, and a rendering of the templated one */
const RIGHT = `import { Adhesive, gateway, message, messageCallback, task, usertask } from "adhesive-bpmn";
task("Checkout", () => {});
task(["Test", "Build {loop.value}", "Build linux"], () => {});
task({ name: "Notify Team", type: "mail" }, () => {});
task({ re: /^Anything (.+)$/ }, () => {});
task("Tests passed?", () => "yes");
gateway("Tests passed?", () => "yes");
usertask("Approve Release", (_ctx, ui) => ui.addDefaultButton("ok"));
message("Wait to go live", function* () {
  yield {};
});
messageCallback("Payment Received", () => {});
new Adhesive().usertask({ re: "Approve" }, () => {});
`;

/* one slip per line, so each error is found by its line */
const MISSPELT = [
  `import { Adhesive, gateway, message, task, usertask } from "adhesive-bpmn";`,
  `task("Biuld", () => {});`,
  `task({ name: "Chekout" }, () => {});`,
  `task(["Test", "Chekout"], () => {});`,
  `usertask("Approve Relase", () => {});`,
  `message("Go Live", () => []);`,
  `gateway("Test passed?", () => "yes");`,
  `task({ type: "mial" }, () => {});`,
  `new Adhesive().task("Biuld", () => {});`,
  ``,
].join("\n");

describe("adhesive types", () => {
  let dir: string;
  let types: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "adhesive-types-"));
    types = join(await builtPackage(), "dist/index.d.ts");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** A project with these files whose "adhesive-bpmn" is the package's declarations; returns its tsconfig.json. */
  async function project(name: string, files: Record<string, string>): Promise<string> {
    const folder = join(dir, name);
    const compilerOptions = {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      noEmit: true,
      // the package's declarations are not what is checked here (and some name untyped dependencies)
      skipLibCheck: true,
      types: ["node"],
      typeRoots: [join(root, "node_modules/@types")],
      paths: { "adhesive-bpmn": [types] },
    };
    await mkdir(folder);
    await writeFile(join(folder, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["*.ts"] }));
    for (const [file, text] of Object.entries(files)) await writeFile(join(folder, file), text);
    return join(folder, "tsconfig.json");
  }

  /*
   * One `tsc --build` checks both projects, with the names file and without:
   * it reads the libraries and @types/node (most of the work) once for both,
   * where two `tsc -p` read them twice (as in test/package/package.test.ts).
   * Each project is checked with its own options all the same; --verbose
   * prints a line before each project's output, which tells them apart.
   */
  let checked: Promise<{ code: number | null; output: string; errors: Map<string, string[]> }> | undefined;
  function typechecked(): Promise<{ code: number | null; output: string; errors: Map<string, string[]> }> {
    checked ??= (async () => {
      const names = await adhesive(["types", release, "--out", "-"]);
      expect(names.code).toBe(0);
      const projects = [
        await project("with-names", { "adhesive-names.d.ts": names.stdout, "right.ts": RIGHT, "misspelt.ts": MISSPELT }),
        await project("without-names", { "right.ts": RIGHT, "misspelt.ts": MISSPELT }),
      ];
      const { code, stdout } = await run([tsc, "--build", "--verbose", "--pretty", "false", ...projects], dir);
      // per project (by its folder's name): its errors as file:line: text; an error's first line starts with file(line,col), the lines under it explain it
      const errors = new Map<string, string[]>();
      let current: string | undefined;
      for (const line of stdout.replace(/\n {2,}/g, " ").split("\n")) {
        const building = /^.* - Building project '(.+)'\.\.\.$/.exec(line);
        if (building) errors.set((current = basename(dirname(building[1]))), []);
        else if (/^.* - (Project '.+' is|Projects in this build:)/.test(line)) current = undefined;
        else if (current !== undefined && line.trim() !== "") errors.get(current)!.push(line.replace(/^(?:.*\/)?(\S+)\((\d+),\d+\): error TS\d+: /, "$1:$2: "));
      }
      return { code, output: stdout, errors };
    })();
    return checked;
  }

  it("writes the names of the tasks, user tasks, messages, gateways and job types, placeholders as any text", async () => {
    // by default into adhesive-names.d.ts in the working directory
    const { code, stderr } = await adhesive(["types", release], {}, dir);
    expect(code).toBe(0);
    expect(stderr).toBe("adhesive types: wrote adhesive-names.d.ts\n");
    const text = await readFile(join(dir, "adhesive-names.d.ts"), "utf8");
    expect(text).toContain('declare module "adhesive-bpmn" {');
    const unions = Object.fromEntries([...text.matchAll(/^ {4}(\w+): (.*);$/gm)].map((m) => [m[1], m[2]]));
    expect(unions).toEqual({
      tasks: '`Build ${string}` | "Checkout" | "Notify Team" | "Test" | "Wait for Payment"',
      userTasks: '"Approve Release"',
      // the receive task answers to its message's name as well as its own
      messages: '"Payment Received" | "Wait for Payment" | "Wait to go live"',
      gateways: '"Tests passed?"',
      jobTypes: '"mail"',
    });
  });

  it("makes tsc --strict reject each misspelt name, showing the process's names, and compile the right ones", async () => {
    const { code: exit, output, errors } = await typechecked();
    expect(errors.has("with-names"), `tsc --build never checked the project:\n${output}`).toBe(true);
    const checked = { errors: errors.get("with-names")! };
    expect(exit).not.toBe(0);
    // nothing in right.ts: the names as drawn, a rendering of a placeholder name, { re } and the job type all compile
    expect(checked.errors.filter((e) => !e.startsWith("misspelt.ts:"))).toEqual([]);
    const at = (line: number) => checked.errors.filter((e) => e.startsWith(`misspelt.ts:${line}: `));
    // the shipped declaration file does not export Matcher: tsc spells out its default type argument where the name list has no job types
    const taskNames = '`Build ${string}` | "Checkout" | "Notify Team" | "Test" | "Wait for Payment" | "Tests passed?"';
    expect(at(2)).toEqual([`misspelt.ts:2: Argument of type '"Biuld"' is not assignable to parameter of type 'Matcher<${taskNames}, "mail">'.`]);
    // a name inside a list or options object gets tsc's own "Did you mean"
    expect(at(3)).toHaveLength(1);
    expect(at(3)[0]).toMatch(/Type '"Chekout"' is not assignable to type .* Did you mean '"Checkout"'\?$/);
    expect(at(4)).toEqual([`misspelt.ts:4: Type '"Chekout"' is not assignable to type '${taskNames}'. Did you mean '"Checkout"'?`]);
    expect(at(5)).toEqual([`misspelt.ts:5: Argument of type '"Approve Relase"' is not assignable to parameter of type 'Matcher<"Approve Release", string>'.`]);
    // a message event answers to its own name, not its message's
    expect(at(6)[0]).toContain(`Argument of type '"Go Live"' is not assignable to parameter of type 'Matcher<"Wait for Payment" | "Payment Received" | "Wait to go live", string>'.`);
    expect(at(7)).toEqual([`misspelt.ts:7: Argument of type '"Test passed?"' is not assignable to parameter of type 'Matcher<"Tests passed?", string>'.`]);
    expect(at(8)[0]).toContain(`Type '"mial"' is not assignable to type '"mail" | "mail"[] | undefined'.`);
    // Adhesive instances take the same names
    expect(at(9)).toEqual([`misspelt.ts:9: Argument of type '"Biuld"' is not assignable to parameter of type 'Matcher<${taskNames}, "mail">'.`]);
    expect(checked.errors).toHaveLength(8);
  });

  it("leaves every name allowed in a project without the file", async () => {
    const { output, errors } = await typechecked();
    // checked, and not one error
    expect(errors.get("without-names"), `tsc --build printed:\n${output}`).toEqual([]);
  });

  it("fails with the file's problems for a BPMN file that cannot run, and writes nothing", async () => {
    const out = join(dir, "broken.d.ts");
    const { code, stderr } = await adhesive(["types", fixture("bpmn/broken/not-xml.bpmn"), "--out", out]);
    expect(code).toBe(2);
    expect(stderr).toContain("not-xml.bpmn");
    await expect(readFile(out, "utf8")).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("exits 2 with its usage when no file is given", async () => {
    const { code, stderr } = await adhesive(["types"]);
    expect(code).toBe(2);
    expect(stderr).toContain("adhesive types: give at least one .bpmn file");
    expect(stderr).toContain("Usage: adhesive types <file.bpmn>...");
  });
});
