/*
 * The build's list of files loaded at run time (scripts/runtime-files.mjs),
 * on small packages in a temporary folder: what the compiled code names by
 * URL is copied from src/, what it names and nobody has fails the build, and
 * the file that marks a clone of the repository stays out.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyRuntimeFiles, RuntimeFileError } from "../../scripts/runtime-files.mjs";

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

/** A package folder with these files (paths relative to it) and a package.json publishing bin/ and dist/. */
async function packageWith(files: Record<string, string>, dependencies: Record<string, string> = {}): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "adhesive-runtime-files-"));
  roots.push(root);
  const all = { "package.json": JSON.stringify({ name: "p", files: ["bin", "dist"], dependencies }), ...files };
  for (const [path, text] of Object.entries(all)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

function failure(root: string): RuntimeFileError {
  try {
    copyRuntimeFiles(root);
  } catch (error) {
    if (error instanceof RuntimeFileError) return error;
    throw error;
  }
  throw new Error("the build did not fail");
}

describe("the files the compiled code loads at run time", () => {
  it("are copied from src/: a thread entry, what that entry loads in turn, and a page folder named with a computed file name", async () => {
    const root = await packageWith({
      "dist/pool.js": 'new Worker(new URL("./thread/entry.mjs", import.meta.url));\nconst page = (name) => new URL(`./page/${name}`, import.meta.url);\n',
      "src/pool.ts": "// compiled to dist/pool.js\n",
      "src/thread/entry.mjs": 'import { fork } from "node:child_process";\nfork(new URL("../helper.mjs", import.meta.url));\n',
      "src/helper.mjs": "export {};\n",
      "src/page/index.html": "<html></html>\n",
      "src/page/app.js": 'import "served-to-the-browser-only";\n',
    });
    expect(copyRuntimeFiles(root).sort()).toEqual(["dist/helper.mjs", "dist/page/app.js", "dist/page/index.html", "dist/thread/entry.mjs"]);
    expect(await readFile(join(root, "dist/thread/entry.mjs"), "utf8")).toContain("helper.mjs");
    expect(existsSync(join(root, "dist/pool.ts"))).toBe(false);
  });

  it("fail the build when one of them is nowhere, naming the file that loads it", async () => {
    const root = await packageWith({ "dist/supervisor.js": 'spawn(process.execPath, [fileURLToPath(new URL("./supervisor-main.mjs", import.meta.url))]);\n' });
    const error = failure(root);
    expect(error.code).toBe("ADHESIVE_BUILD_RUNTIME_FILE");
    expect(error.message).toContain('dist/supervisor.js: new URL("./supervisor-main.mjs", import.meta.url): neither dist/supervisor-main.mjs nor src/supervisor-main.mjs exists');
  });

  it("fail the build when a copied file imports a package that is not a dependency", async () => {
    const root = await packageWith(
      { "dist/feel.js": 'new Worker(new URL("./feel-worker.mjs", import.meta.url));\n', "src/feel-worker.mjs": 'import { evaluate } from "feelin";\nimport "vitest";\n' },
      { feelin: "1" },
    );
    expect(failure(root).message).toMatch(/dist\/feel-worker\.mjs: imports vitest, which is not in the package's dependencies$/);
  });

  it("leave src/source-mode.mjs out: the worker entry looks for it to know it runs from the sources", async () => {
    const root = await packageWith({
      "dist/workers/pool.js": 'new Worker(new URL("./worker-entry.mjs", import.meta.url));\n',
      "src/workers/worker-entry.mjs": 'if (existsSync(new URL("../source-mode.mjs", import.meta.url))) await import("../source-mode.mjs");\n',
      "src/source-mode.mjs": "// registers tsx\n",
      "bin/cli.js": 'if (existsSync(new URL("../src/source-mode.mjs", import.meta.url))) await import("../src/source-mode.mjs");\n',
    });
    expect(copyRuntimeFiles(root)).toEqual(["dist/workers/worker-entry.mjs"]);
    expect(existsSync(join(root, "dist/source-mode.mjs"))).toBe(false);
  });
});
