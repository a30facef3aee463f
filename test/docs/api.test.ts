/*
 * docs/api/ is the API reference TypeDoc writes from the doc comments of
 * src/index.ts's exports (`npm run docs`). Every export, each of its
 * methods and fields, has a comment (typedoc.json's validation, which fails
 * the generation otherwise), and docs/api/ is what TypeDoc writes now: it
 * cannot go stale behind a changed comment or a new export.
 *
 * TypeDoc skips its own type check (typedoc.json's skipErrorChecking, 12 s
 * of CPU instead of 30): npm test has checked every file with tsc before.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Application, Logger, LogLevel, TSConfigReader, TypeDocReader, type TypeDocOptions } from "typedoc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { root } from "./markdown.js";

/** A logger that keeps what TypeDoc says besides printing nothing. */
class Kept extends Logger {
  readonly messages: string[] = [];

  override log(message: string, level: LogLevel): void {
    super.log(message, level);
    if (level >= LogLevel.Warn) this.messages.push(`${LogLevel[level]}: ${message}`);
  }
}

interface Generated {
  /** TypeDoc's warnings and errors, validation included */
  problems: string[];
  /** whether it wrote the output (it does not once validation failed) */
  written: boolean;
}

/** Runs TypeDoc as `npm run docs` does (`options`: the options file and what to put over it), with the output in `out`. */
async function typedoc(options: Partial<TypeDocOptions>, out: string): Promise<Generated> {
  const app = await Application.bootstrapWithPlugins({ ...options, out }, [new TypeDocReader(), new TSConfigReader()]);
  const logger = new Kept();
  app.logger = logger;
  const project = await app.convert();
  if (project === undefined) return { problems: logger.messages, written: false };
  app.validate(project);
  const strict = app.options.getValue("treatValidationWarningsAsErrors") || app.options.getValue("treatWarningsAsErrors");
  if (logger.hasErrors() || (strict && logger.hasWarnings())) return { problems: logger.messages, written: false };
  await app.generateOutputs(project);
  return { problems: logger.messages, written: true };
}

/** Every file under `folder`, by its path relative to it, with its text. */
function files(folder: string): Map<string, string> {
  const entries = readdirSync(folder, { withFileTypes: true, recursive: true }).filter((entry) => entry.isFile());
  return new Map(entries.map((entry) => [relative(folder, join(entry.parentPath, entry.name)), readFileSync(join(entry.parentPath, entry.name), "utf8")]));
}

describe("docs/api", () => {
  let temp: string;
  let generated: Generated;

  beforeAll(async () => {
    temp = mkdtempSync(join(tmpdir(), "adhesive-api-docs-"));
    generated = await typedoc({ options: join(root, "typedoc.json") }, join(temp, "api"));
  });

  afterAll(() => {
    if (temp !== undefined) rmSync(temp, { recursive: true, force: true });
  });

  it("is generated without a warning: every export, method and field of the public API has a doc comment", () => {
    expect(generated.problems).toEqual([]);
    expect(generated.written).toBe(true);
  });

  it("is what npm run docs writes now (run it after changing a doc comment or an export)", () => {
    const now = files(join(temp, "api"));
    const committed = files(join(root, "docs/api"));
    expect([...committed.keys()].sort(), "docs/api is stale: run npm run docs").toEqual([...now.keys()].sort());
    const stale = [...now].filter(([file, text]) => committed.get(file) !== text).map(([file]) => file);
    expect(stale, "docs/api is stale: run npm run docs").toEqual([]);
    expect(now.get("README.md")).toContain("[task]");
  });

  it("would not be generated for an export without a doc comment", async () => {
    const project = mkdtempSync(join(temp, "undocumented-"));
    const config = JSON.parse(readFileSync(join(root, "typedoc.json"), "utf8")) as Partial<TypeDocOptions>;
    writeFileSync(join(project, "index.ts"), "/** Says hello. */\nexport function hello(): string {\n  return 'hello';\n}\n\nexport function bye(): string {\n  return 'bye';\n}\n");
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", types: [] }, include: ["index.ts"] }));
    writeFileSync(join(project, "typedoc.json"), JSON.stringify({ ...config, entryPoints: [join(project, "index.ts")], tsconfig: join(project, "tsconfig.json"), intentionallyNotDocumented: [], intentionallyNotExported: [] }));
    const outcome = await typedoc({ options: join(project, "typedoc.json") }, join(project, "api"));
    expect(outcome.written).toBe(false);
    expect(outcome.problems).toEqual([expect.stringMatching(/^Warn: bye \(CallSignature\), defined in .*index\.ts, does not have any documentation$/)]);
  });
});
