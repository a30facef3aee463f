/*
 * The package as a user gets it: built (npm run build), packed (npm pack),
 * and the tarball installed with typescript into one shared folder outside
 * the repository. The scenario projects are folders below it: Node, npx and
 * tsc find the shared node_modules up the tree, so one install serves every
 * project. The shared folder keeps no package.json, or the "no package.json"
 * project would have one above it.
 *
 * The build runs in a copy of the repository in the temporary folder: the
 * test files of test/package run side by side, and each would otherwise
 * delete and rewrite the one dist/ of the repository under the others' npm
 * pack. The dependencies come from npm's cache (--prefer-offline): the
 * repository's own `npm ci` has put every one of them there.
 */
import { execFile } from "node:child_process";
import { cpSync, readFileSync, symlinkSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";

export const root = fileURLToPath(new URL("../../", import.meta.url));

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

// the outer `npm test` describes this repository's package to its children; the projects are others
export const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm_package_|npm_lifecycle_|INIT_CWD$)/.test(name)));

/** Runs a program to its end; never rejects (the exit code tells). `timeout` kills a hang: npx, node and tsc take long on a loaded machine. */
export function run(command: string, args: readonly string[], cwd: string, extraEnv: Record<string, string> = {}, timeout = 600_000): Promise<Result> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...env, ...extraEnv }, timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
    });
  });
}

async function mustRun(command: string, args: readonly string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd, {}, 900_000);
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} (in ${cwd}) exited ${result.code}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

export interface Installed {
  /** the shared folder: node_modules with adhesive-bpmn and typescript, no package.json */
  folder: string;
  /** the packed tarball (in the shared folder) */
  tarball: string;
  /** the installed package's CLI: <folder>/node_modules/adhesive-bpmn/bin/adhesive.js */
  bin: string;
  /** the files the tarball holds, as npm pack lists them */
  files: string[];
  /** a new empty folder below the shared one */
  project(name: string, packageJson?: Record<string, unknown>): Promise<string>;
  /** installs another copy of the same tarball into <dir>/node_modules (dir must have no package.json yet) */
  installInto(dir: string): Promise<void>;
  remove(): Promise<void>;
}

/** Builds and packs the working tree (uncommitted changes included) in a copy of it; returns the tarball's path and files. */
async function pack(destination: string): Promise<{ tarball: string; files: string[] }> {
  const copy = await mkdtemp(join(tmpdir(), "adhesive-build-"));
  try {
    const { files } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { files: string[] };
    // what npm pack takes (package.json "files", less the build's output) and what the build reads
    const inputs = [...files.filter((entry) => entry !== "dist"), "src", "scripts", "package.json", ".npmrc", "tsconfig.json", "tsconfig.build.json", "README.md", "LICENSE"];
    for (const entry of inputs) cpSync(join(root, entry), join(copy, entry), { recursive: true, filter: (path) => !/\/(node_modules|\.adhesive)(\/|$)/.test(path) });
    symlinkSync(join(root, "node_modules"), join(copy, "node_modules"), "dir");
    await mustRun(process.execPath, ["scripts/build.mjs"], copy);
    // the copy's .npmrc (ignore-scripts) keeps npm pack from building once more (prepack)
    const [packed] = JSON.parse(await mustRun("npm", ["pack", "--json", "--pack-destination", destination], copy)) as Array<{ filename: string; files: Array<{ path: string }> }>;
    return { tarball: join(destination, packed.filename), files: packed.files.map((file) => file.path) };
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

/**
 * Installs `dependencies` into `folder` (which must have no package.json)
 * and leaves no package.json behind. No install scripts (as in this
 * repository's .npmrc): ssh2 works without its native addon.
 */
async function npmInstall(folder: string, dependencies: Record<string, string>): Promise<void> {
  await writeFile(join(folder, "package.json"), JSON.stringify({ private: true, dependencies }));
  try {
    await mustRun("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", "--no-package-lock"], folder);
  } finally {
    await rm(join(folder, "package.json"));
  }
}

export async function installPackage(): Promise<Installed> {
  const folder = await mkdtemp(join(tmpdir(), "adhesive-package-"));
  let packed;
  try {
    packed = await pack(folder);
    // the same typescript as here, so that npm finds it in its cache
    const { version: typescript } = JSON.parse(readFileSync(join(root, "node_modules/typescript/package.json"), "utf8")) as { version: string };
    await npmInstall(folder, { "adhesive-bpmn": `file:${packed.tarball}`, typescript });
  } catch (error) {
    // the test file's afterAll has nothing to remove then
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  const { tarball, files } = packed;
  return {
    folder,
    tarball,
    bin: join(folder, "node_modules/adhesive-bpmn/bin/adhesive.js"),
    files,
    async project(name, packageJson) {
      const dir = join(folder, name);
      await mkdir(dir);
      if (packageJson) await writeFile(join(dir, "package.json"), JSON.stringify(packageJson, null, 2));
      return dir;
    },
    installInto: (dir) => npmInstall(dir, { "adhesive-bpmn": `file:${tarball}` }),
    remove: () => rm(folder, { recursive: true, force: true }),
  };
}

/**
 * The package installed once for a test file: before its tests, removed after them.
 * The getter returns it once beforeAll has run. The install takes minutes on a loaded machine: its limit only caps a hang.
 */
export function useInstalledPackage(): () => Installed {
  let installed: Installed | undefined;
  beforeAll(async () => {
    installed = await installPackage();
  }, 1_800_000);
  afterAll(async () => {
    await installed?.remove();
  });
  return () => {
    if (installed === undefined) throw new Error("the package is not installed yet: use it inside a test");
    return installed;
  };
}
