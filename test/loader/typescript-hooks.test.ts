/*
 * Given TypeScript files in a project, when adhesive's module hooks (the
 * fallback for a file a bundle cannot keep) resolve and load them, with a
 * `next` that stands for Node's own resolution (a file URL that exists, else
 * not found), then ./x.js finds ./x.ts, an extensionless path its file, the
 * tsconfig.json's `paths` map a bare import, the format follows the
 * extension and package "type", and an ES module's types are stripped with
 * a source map while CommonJS is left to Node's CommonJS loader. test/package
 * runs the same hooks as installed, in Node's hooks thread.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { initialize, load, resolve } from "../../src/loader/typescript-hooks.js";
import { writeFiles } from "./project-files.js";

const project = mkdtempSync(join(tmpdir(), "adhesive-hooks-"));
afterAll(() => rmSync(project, { recursive: true, force: true }));

const write = (files: Record<string, string>): string => writeFiles(project, files);

/* Node's resolution, as far as these tests need it: a file URL of a file, else not found (a folder: no import of folders) */
async function nodeResolves(specifier: string, context?: { parentURL?: string }): Promise<{ url: string }> {
  const url = new URL(specifier, context?.parentURL);
  if (url.protocol === "file:" && statSync(fileURLToPath(url), { throwIfNoEntry: false })?.isFile() === true) return { url: url.href };
  throw Object.assign(new Error(`Cannot find module ${specifier}`), { code: "ERR_MODULE_NOT_FOUND" });
}

const notLoaded = () => Promise.reject(new Error("the hook should have loaded it itself"));

describe("adhesive's TypeScript module hooks", () => {
  initialize({ tsconfig: undefined });
  const loadContext = (format: "module" | undefined) => ({ format, conditions: ["node", "import"], importAssertions: {}, importAttributes: {} });

  it("resolve ./x.js to ./x.ts, an extensionless path and a folder to their .ts files, and tsconfig paths before node_modules", async () => {
    const folder = write({
      "package.json": JSON.stringify({ type: "module" }),
      "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "#lib/*": ["./lib/*"] } } }),
      "main.ts": "",
      "lib/helper.ts": "",
      "lib/tool/index.ts": "",
      "lib/old.cts": "",
    });
    const parentURL = pathToFileURL(join(folder, "main.ts")).href;
    const resolved = (specifier: string) => resolve(specifier, { parentURL, conditions: ["node", "import"], importAssertions: {}, importAttributes: {} }, nodeResolves);
    const at = (path: string) => pathToFileURL(join(folder, path)).href;
    expect(await resolved("./lib/helper.js")).toEqual({ url: at("lib/helper.ts"), format: "module" });
    expect(await resolved("./lib/helper")).toEqual({ url: at("lib/helper.ts"), format: "module" });
    expect(await resolved("./lib/tool")).toEqual({ url: at("lib/tool/index.ts"), format: "module" });
    expect(await resolved("./lib/old.cjs")).toEqual({ url: at("lib/old.cts"), format: "commonjs" });
    expect(await resolved("#lib/helper")).toEqual({ url: at("lib/helper.ts"), format: "module" });
    await expect(resolved("./lib/none.js")).rejects.toMatchObject({ code: "ERR_MODULE_NOT_FOUND" });
  });

  it("load an ES module .ts without its types, with a source map of the .ts, and leave CommonJS to Node's loader", async () => {
    const folder = write({ "typed.ts": "type Answer = number;\nexport const answer: Answer = 42;\n", "old.cts": "module.exports = 1;\n" });
    const typed = await load(pathToFileURL(join(folder, "typed.ts")).href, loadContext("module"), notLoaded);
    expect(typed.format).toBe("module");
    const source = String(typed.source);
    expect(source).toContain("export const answer = 42;");
    expect(source).not.toContain("Answer");
    const map = JSON.parse(Buffer.from(/sourceMappingURL=data:application\/json;base64,(\S+)/.exec(source)![1]!, "base64").toString()) as { sources: string[] };
    expect(map.sources).toEqual([pathToFileURL(join(folder, "typed.ts")).href]);
    expect(await load(pathToFileURL(join(folder, "old.cts")).href, loadContext(undefined), notLoaded)).toEqual({ format: "commonjs", shortCircuit: true });
  });

  it("report a file that cannot be compiled with its file, line and column", async () => {
    const folder = write({ "broken.mts": "export const x: number = ;\n" });
    await expect(load(pathToFileURL(join(folder, "broken.mts")).href, loadContext(undefined), notLoaded)).rejects.toThrow(`${join(folder, "broken.mts")}:1:26: Unexpected token`);
  });
});
