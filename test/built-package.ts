/*
 * The package built once per test run (scripts/build.mjs, what `npm run
 * build` does), in a copy of the working tree (uncommitted changes
 * included) outside the repository: the repository's own dist/ is nobody's
 * business here. Two kinds of test use it:
 *
 * - the CLI tests run its CLI (builtCli): a CLI started from the sources
 *   spends about a CPU second more in tsx's module hooks, and the suite
 *   starts the CLI hundreds of times;
 * - test/package packs it (installed.ts).
 *
 * The build folder then holds what the package ships (package.json, bin/,
 * dist/, examples/), node_modules (a link to the repository's) and the test
 * entry of the CLI (built-cli.mjs, copied to cli.mjs) with the tsconfig.json
 * it points tsx to. No src/: with it, bin/ would run the sources.
 *
 * global-setup.ts names the folder; the first test file that needs the
 * build makes it there and the others wait (once-per-run.ts). A run
 * without the global setup builds once per test file.
 */
import { execFile } from "node:child_process";
import { cpSync, readFileSync, rmSync } from "node:fs";
import { copyFile, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";
import { oncePerRun } from "./once-per-run.js";

const root = fileURLToPath(new URL("../", import.meta.url));

/* caps a hang of the build; tsc takes minutes on a loaded machine */
export const BUILD_LIMIT_MS = 900_000;

declare module "vitest" {
  export interface ProvidedContext {
    /** an empty folder for the package built once per test run (built-package.ts) */
    buildFolder: string;
  }
}

let built: Promise<string> | undefined;

/** The folder of the built package (see above), built by the first test file of the run that asks. */
export function builtPackage(): Promise<string> {
  built ??= buildOnce();
  return built;
}

async function buildOnce(): Promise<string> {
  const folder = inject("buildFolder");
  if (folder !== undefined) return oncePerRun(folder, "the build of the package", BUILD_LIMIT_MS, () => build(folder).then(() => folder));
  const own = await mkdtemp(join(tmpdir(), "adhesive-build-"));
  process.once("exit", () => rmSync(own, { recursive: true, force: true }));
  await build(own);
  return own;
}

/** The built CLI's test entry (built-cli.mjs): run it as the bin, `node <it> [args]`. */
export async function builtCli(): Promise<string> {
  return join(await builtPackage(), "cli.mjs");
}

async function build(folder: string): Promise<void> {
  const { files } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { files: string[] };
  // what npm pack takes (package.json "files", less the build's output) and what the build reads
  const inputs = [...files.filter((entry) => entry !== "dist"), "src", "scripts", "package.json", ".npmrc", "tsconfig.json", "tsconfig.build.json", "README.md", "LICENSE"];
  for (const entry of inputs) cpSync(join(root, entry), join(folder, entry), { recursive: true, filter: (path) => !/\/(node_modules|\.adhesive)(\/|$)/.test(path) });
  await symlink(join(root, "node_modules"), join(folder, "node_modules"), "dir");
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, ["scripts/build.mjs"], { cwd: folder, timeout: BUILD_LIMIT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`npm run build (in ${folder}) failed: ${error.message}\n${stdout}${stderr}`)) : resolve(),
    );
  });
  for (const entry of ["src", "scripts", "tsconfig.build.json"]) await rm(join(folder, entry), { recursive: true, force: true });
  // the repository's compiler options, but "adhesive-bpmn" is this build (built-cli.mjs)
  const tsconfig = { extends: join(root, "tsconfig.json"), compilerOptions: { paths: { "adhesive-bpmn": ["./dist/index.js"] } } };
  await writeFile(join(folder, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  await copyFile(join(root, "test/built-cli.mjs"), join(folder, "cli.mjs"));
}
