/*
 * Given TypeScript process files (written into a temporary project inside
 * this repository, so that its packages resolve), when they are bundled for
 * import, then their own files are inside with their own import.meta,
 * packages are Node's own files, an unchanged file is not compiled again, a
 * changed helper is, and what a bundle cannot keep as written goes to the module hooks.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { bundledProcessFile, ProcessFileCompileError } from "../../src/loader/bundle-process-file.js";
import { writeFiles } from "./project-files.js";
import { escapeRegExp } from "../../src/escape-regexp.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const project = mkdtempSync(join(root, "test/.tmp-bundle-"));
let tmp: string;
let savedTmp: string | undefined;

beforeEach(() => {
  savedTmp = process.env.TMPDIR;
  tmp = mkdtempSync(join(project, "tmp-"));
  process.env.TMPDIR = tmp;
});
afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

const write = (files: Record<string, string>): string => writeFiles(project, files);

const MAIN = `import { parse } from "yaml";
import { helperUrl, shout } from "./lib/helper.ts";
const typed: number = parse("answer: 42").answer;
export const result = { typed, shout: shout("hi"), mainUrl: import.meta.url, helperUrl, dirname: import.meta.dirname };
`;
const HELPER = `export const helperUrl: string = import.meta.url;
export function shout(text: string): string { return text.toUpperCase() + "!"; }
`;

describe("bundling a TypeScript process file", () => {
  it("keeps each file's import.meta, compiles the types away and imports packages as Node resolves them", async () => {
    const folder = write({ "main.ts": MAIN, "lib/helper.ts": HELPER });
    const url = await bundledProcessFile(join(folder, "main.ts"));
    expect(url).toBeDefined();
    const { result } = (await import(url!)) as { result: Record<string, unknown> };
    expect(result).toEqual({
      typed: 42,
      shout: "HI!",
      mainUrl: pathToFileURL(join(folder, "main.ts")).href,
      helperUrl: pathToFileURL(join(folder, "lib/helper.ts")).href,
      dirname: folder,
    });
    // the very file import("yaml") loads here: one module instance with the rest of the process
    const yamlEntry = pathToFileURL(createRequire(join(root, "package.json")).resolve("yaml")).href.replace(/\/dist\/index\.js$/, "");
    expect(readFileSync(fileURLToPath(url!), "utf8")).toMatch(new RegExp(`from "${escapeRegExp(yamlEntry)}/[^"]+"`));
  });

  it("is not compiled again while nothing it was made from changes, and is when a helper does", async () => {
    const folder = write({ "main.ts": MAIN, "lib/helper.ts": HELPER });
    const main = join(folder, "main.ts");
    const { atime, mtime } = statSync(main);
    // whole seconds: the time set back below must be the very one the first compile saw
    mtime.setMilliseconds(0);
    utimesSync(main, atime, mtime);
    const first = await bundledProcessFile(main);
    // text rolldown would refuse, of the same size and modification time: only a compile would notice
    writeFileSync(main, "}".repeat(MAIN.length));
    utimesSync(main, atime, mtime);
    expect(await bundledProcessFile(main)).toBe(first);
    writeFileSync(main, MAIN);
    utimesSync(main, atime, mtime);

    writeFileSync(join(folder, "lib/helper.ts"), HELPER.replace("!", "!!"));
    const second = await bundledProcessFile(join(folder, "main.ts"));
    expect(second).not.toBe(first);
    const { result } = (await import(second!)) as { result: { shout: string } };
    expect(result.shout).toBe("HI!!");
  });

  it("bundles the files a template import of ./ names, and leaves to the module hooks an import of a variable or a helper that asks import.meta to resolve", async () => {
    const folder = write({
      "pattern.ts": 'const name: string = "helper";\nexport const { shout } = await import(`./lib/${name}.ts`);\n',
      "variable.ts": 'const path: string = "./lib/helper.ts";\nawait import(path);\n',
      "resolves.ts": 'import "./other/resolver.ts";\n',
      "lib/helper.ts": HELPER,
      "other/resolver.ts": 'export const where = import.meta.resolve("../lib/helper.ts");\n',
    });
    const pattern = await bundledProcessFile(join(folder, "pattern.ts"));
    expect(((await import(pattern!)) as { shout: (text: string) => string }).shout("yes")).toBe("YES!");
    expect(await bundledProcessFile(join(folder, "variable.ts"))).toBeUndefined();
    expect(await bundledProcessFile(join(folder, "resolves.ts"))).toBeUndefined();
  });

  it("reports what cannot be compiled with the file, line and column of each problem", async () => {
    const folder = write({
      "main.ts": 'import "./lib/broken.ts";\n',
      "lib/broken.ts": "export const x: number = ;\n",
      "missing.ts": 'import "./lib/fine.ts";\nimport "no-such-package-anywhere";\nimport "no-such-package-either";\n',
      "lib/fine.ts": "export const y = 1;\n",
    });
    const failure = (file: string) =>
      bundledProcessFile(join(folder, file)).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    const broken = await failure("main.ts");
    expect(broken).toBeInstanceOf(ProcessFileCompileError);
    expect((broken as ProcessFileCompileError).code).toBe("ADHESIVE_PROCESS_FILE");
    expect((broken as Error).message).toContain(`${join(folder, "main.ts")} cannot be compiled:`);
    expect((broken as Error).message).toContain(`${join(folder, "lib/broken.ts")}:1:26: Unexpected token\n    export const x: number = ;`);
    const missing = await failure("missing.ts");
    expect(missing).toBeInstanceOf(ProcessFileCompileError);
    expect((missing as Error).message).toContain(`${join(folder, "missing.ts")}:2:8: Could not resolve "no-such-package-anywhere"`);
    expect((missing as Error).message).toContain(`${join(folder, "missing.ts")}:3:8: Could not resolve "no-such-package-either"`);
  });

  it("finds a bare import nothing else provides in the plugin folders, as a file or a folder's index", async () => {
    const folder = write({
      "main.ts": 'import { greet } from "greetings";\nimport { farewell } from "farewells";\nexport const said = `${greet()} ${farewell()}`;\n',
      "plugins/greetings.ts": 'export const greet = (): string => "hello";\n',
      "plugins/farewells/index.ts": 'export const farewell = (): string => "bye";\n',
    });
    await expect(bundledProcessFile(join(folder, "main.ts"))).rejects.toThrow(/Could not resolve "greetings"/);
    const url = await bundledProcessFile(join(folder, "main.ts"), [join(folder, "plugins")]);
    expect(((await import(url!)) as { said: string }).said).toBe("hello bye");
  });

  it("compiles nothing into a cache folder others can write to", async () => {
    const folder = write({ "main.ts": MAIN, "lib/helper.ts": HELPER });
    const cache = join(tmp, `adhesive-bpmn-${process.getuid!()}`);
    mkdirSync(cache, { recursive: true });
    chmodSync(cache, 0o777);
    expect(await bundledProcessFile(join(folder, "main.ts"))).toBeUndefined();
  });
});
