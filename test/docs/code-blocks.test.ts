/*
 * Every ```ts block of the README and docs/*.md compiles with tsc against
 * the package's public API ("adhesive-bpmn" is src/index.ts, as in the
 * repository's tsconfig), and every complete program among them runs
 * through the CLI, as a reader would run it, and exits 0.
 *
 * The info string says what a block is:
 *   ```ts                      a complete program: compiled and run
 *   ```ts files=a.bpmn,b.bpmn  the same, with those files (paths in the
 *                              repository) copied beside it first
 *   ```ts fragment             compiled, not run (it starts no process)
 *   ```ts isolated             compiled in a program of its own (a module
 *                              augmentation, which would change every other
 *                              block's types), not run
 * All blocks but the isolated ones are checked by one tsc program, so the
 * cost is one type check of src/, whatever the number of blocks.
 *
 * A ```js block is a CommonJS process file (`_adhesive.cjs` in a project
 * without "type"), run through the CLI the same way, `files=` included.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtCli, builtPackage } from "../built-package.js";
import { pages, root, split, type CodeBlock } from "./markdown.js";

const TAGS = new Set(["fragment", "isolated"]);

interface Placed {
  block: CodeBlock;
  folder: string;
  file: string;
}

const where = (block: CodeBlock) => `${block.page}:${block.line}`;
const runs = (block: CodeBlock) => !block.tags.includes("fragment") && !block.tags.includes("isolated");
const files = (block: CodeBlock) => block.tags.filter((tag) => tag.startsWith("files=")).flatMap((tag) => tag.slice("files=".length).split(","));

function blocksOf(...langs: string[]): CodeBlock[] {
  return pages()
    .flatMap((page) => split(page).blocks)
    .filter((block) => langs.includes(block.lang));
}

/**
 * Writes each block as main.ts in a folder of its own under `parent` (an ES
 * module project, as the README's examples assume); a ```js block as
 * main.cjs in a project without "type".
 */
function place(blocks: readonly CodeBlock[], parent: string, commonJs = false): Placed[] {
  writeFileSync(join(parent, "package.json"), JSON.stringify(commonJs ? { private: true } : { type: "module", private: true }));
  return blocks.map((block, index) => {
    const folder = join(parent, `${index}-${basename(block.page, ".md")}-${block.line}`);
    mkdirSync(folder);
    const file = join(folder, commonJs ? "main.cjs" : "main.ts");
    // a block without import or export would be a script, whose names all blocks share
    writeFileSync(file, commonJs || /^\s*(import|export)\b/m.test(block.code) ? block.code : `${block.code}export {};\n`);
    for (const name of files(block)) copyFileSync(join(root, name), join(folder, basename(name)));
    return { block, folder, file };
  });
}

function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(join(root, "tsconfig.json"), (path) => ts.sys.readFile(path));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  return {
    ...options,
    noEmit: true,
    // a page may list what it imports before it shows how each is used
    noUnusedLocals: false,
    paths: { "adhesive-bpmn": [join(root, "src/index.ts")] },
    typeRoots: [join(root, "node_modules/@types")],
  };
}

/* declaration files src/ relies on (bpmn-moddle's types), which the repository's tsconfig includes */
function declarationsOfSrc(): string[] {
  return readdirSync(join(root, "src"), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".d.ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * tsc's errors in the blocks' files, each named by the page and line it came
 * from. Only the blocks are checked (src/ is, by tsc --noEmit): the checker
 * then looks at what they use of the API, not at all of src/. `companion`:
 * a file of the program whose errors do not count.
 */
function typeErrors(placed: readonly Placed[], options: ts.CompilerOptions, old?: ts.Program, companion?: string): { errors: string[]; program: ts.Program } {
  const rootNames = [...placed.map((p) => p.file), ...declarationsOfSrc(), ...(companion === undefined ? [] : [companion])];
  const program = ts.createProgram({ rootNames, options, oldProgram: old });
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...placed.flatMap((p) => {
      const file = program.getSourceFile(p.file);
      return file === undefined ? [] : [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
    }),
  ];
  const byFile = new Map(placed.map((p) => [p.file, p.block]));
  const errors = diagnostics.map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    const file = diagnostic.file;
    if (file === undefined) return `tsc: ${text}`;
    const { line } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    const block = byFile.get(file.fileName);
    // the block's code starts on the line after its fence
    return block === undefined ? `${file.fileName}:${line + 1}: ${text}` : `${block.page}:${block.line + line + 1}: TS${diagnostic.code}: ${text}`;
  });
  return { errors, program };
}

/*
 * An isolated block is a module augmentation (what adhesive types writes):
 * alone in its program with a file that imports the package, as a project's
 * code would, so that the module it augments is part of the program.
 */
function isolatedErrors(alone: Placed, options: ts.CompilerOptions, old: ts.Program): string[] {
  const companion = join(alone.folder, "uses-the-package.ts");
  writeFileSync(companion, 'export type { ProcessNames } from "adhesive-bpmn";\n');
  return typeErrors([alone], options, old, companion).errors;
}

interface Outcome {
  code: number | null;
  output: string;
}

/** Runs the block's main.ts (or main.cjs) with the CLI from its folder, its runs and workspaces kept there. */
async function run(placed: Placed): Promise<Outcome> {
  const bin = await builtCli();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, basename(placed.file)],
      {
        cwd: placed.folder,
        env: { ...process.env, NO_COLOR: "1", ADHESIVE_RUNS_FOLDER: join(placed.folder, ".runs"), ADHESIVE_TEMP_FOLDER: join(placed.folder, ".temp") },
        // caps a hang only: each example takes seconds
        timeout: 120_000,
        killSignal: "SIGKILL",
      },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

/** At most `width` at once: each run is a CLI process, and the machine is shared. */
async function inTurn<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await fn(items[index]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

describe("code blocks in the README and docs/", () => {
  const blocks = blocksOf("ts", "typescript");
  let parent: string;
  let placed: Placed[];
  let options: ts.CompilerOptions;
  let program: ts.Program;
  let errors: string[] = [];

  beforeAll(() => {
    parent = mkdtempSync(join(tmpdir(), "adhesive-docs-"));
    placed = place(blocks, parent);
    options = compilerOptions();
    const shared = typeErrors(
      placed.filter((p) => !p.block.tags.includes("isolated")),
      options,
    );
    program = shared.program;
    errors = shared.errors;
    for (const alone of placed.filter((p) => p.block.tags.includes("isolated"))) errors.push(...isolatedErrors(alone, options, program));
  });

  afterAll(() => {
    if (parent !== undefined) rmSync(parent, { recursive: true, force: true });
  });

  it("are found, with known tags, and few fragments", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    const unknown = blocks.flatMap((block) => block.tags.filter((tag) => !TAGS.has(tag) && !tag.startsWith("files=")).map((tag) => `${where(block)}: ${tag}`));
    expect(unknown).toEqual([]);
    expect(blocks.filter(runs).length).toBeGreaterThanOrEqual(blocks.length / 2);
  });

  it("compile with tsc against the public API", () => {
    expect(errors).toEqual([]);
  });

  it("run, when they are complete programs, and exit 0", async () => {
    const outcomes = await inTurn(
      placed.filter((p) => runs(p.block)),
      2,
      async (p) => ({ where: where(p.block), ...(await run(p)) }),
    );
    const failed = outcomes.filter((outcome) => outcome.code !== 0).map((outcome) => `${outcome.where}: exit ${outcome.code}\n${outcome.output}`);
    expect(failed).toEqual([]);
  });

  it("run, when they are CommonJS process files (```js), and exit 0", async () => {
    const js = blocksOf("js", "javascript");
    expect(js.length).toBeGreaterThanOrEqual(1);
    const folder = mkdtempSync(join(parent, "commonjs-"));
    // require() finds the package as in a project that installed it: the built copy the CLI runs from
    mkdirSync(join(folder, "node_modules"));
    symlinkSync(await builtPackage(), join(folder, "node_modules", "adhesive-bpmn"), "dir");
    const outcomes = await inTurn(place(js, folder, true), 2, async (p) => ({ where: where(p.block), ...(await run(p)) }));
    expect(outcomes.filter((outcome) => outcome.code !== 0).map((outcome) => `${outcome.where}: exit ${outcome.code}\n${outcome.output}`)).toEqual([]);
  });

  it("would fail for a block that does not compile and for one that fails when run", async () => {
    const broken: CodeBlock[] = [
      { page: "docs/broken.md", line: 1, lang: "ts", tags: [], code: 'import { task } from "adhesive-bpmn";\ntask(42, () => undefined);\n' },
      { page: "docs/broken.md", line: 9, lang: "ts", tags: [], code: 'import { processStart, task } from "adhesive-bpmn";\ntask("A", () => {\n  throw new Error("A broke");\n});\nawait processStart().task("A").processEnd().build();\n' },
    ];
    const folder = mkdtempSync(join(parent, "broken-"));
    const [bad, failing] = place(broken, folder);
    const compiled = typeErrors([bad, failing], options, program).errors;
    expect(compiled).toHaveLength(1);
    expect(compiled[0]).toMatch(/^docs\/broken\.md:3: TS2345: Argument of type 'number'/);
    const outcome = await run(failing);
    expect(outcome.code).toBe(1);
    expect(outcome.output).toContain("A broke");
  });
});
