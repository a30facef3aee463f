/*
 * The package as a user gets it: built (npm run build), packed (npm pack),
 * and the tarball installed with typescript into one shared folder outside
 * the repository. The scenario projects are folders below it: Node, npx and
 * tsc find the shared node_modules up the tree, so one install serves every
 * project. The shared folder keeps no package.json, or the "no package.json"
 * project would have one above it.
 *
 * One install serves every test file of a test run: ../global-setup.ts
 * names its folder, the first file to need it makes it there and the others
 * wait for it (../once-per-run.ts). Each file makes its projects in folders
 * of their own and removes them after its tests; none may change the shared
 * install itself (each file checks that after its tests), a test that must
 * copies it. A run without the global setup installs once per file.
 *
 * The tarball is packed from the build the CLI tests run too
 * (../built-package.ts). The dependencies come from npm's cache
 * (--prefer-offline): the repository's own `npm ci` has put every one of
 * them there.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, inject } from "vitest";
import { BUILD_LIMIT_MS, builtPackage } from "../built-package.js";
import { oncePerRun } from "../once-per-run.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** an empty folder for the shared install of the packed tarball (installed.ts) */
    packageFolder: string;
  }
}

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
  /** a new empty folder below the shared one, named `name` and a unique suffix; removed after the test file */
  project(name: string, packageJson?: Record<string, unknown>): Promise<string>;
  /** installs another copy of the same tarball, with `more` packages (name: version), into <dir>/node_modules (dir must have no package.json yet) */
  installInto(dir: string, more?: Record<string, string>): Promise<void>;
}

/** Packs the build of the working tree; returns the tarball's path and files. */
async function pack(destination: string): Promise<{ tarball: string; files: string[] }> {
  // the build's .npmrc (ignore-scripts) keeps npm pack from building once more (prepack)
  const [packed] = JSON.parse(await mustRun("npm", ["pack", "--json", "--pack-destination", destination], await builtPackage())) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return { tarball: join(destination, packed.filename), files: packed.files.map((file) => file.path) };
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

interface Packed {
  tarball: string;
  files: string[];
  /** what the install holds (fingerprint), to tell that no test changed it */
  holds: string[];
}

/** Packs the build and installs the tarball with typescript into `folder`, which has no package.json. */
async function install(folder: string): Promise<Packed> {
  const packed = await pack(folder);
  // the same typescript as here, so that npm finds it in its cache
  const { version: typescript } = JSON.parse(readFileSync(join(root, "node_modules/typescript/package.json"), "utf8")) as { version: string };
  await npmInstall(folder, { "adhesive-bpmn": `file:${packed.tarball}`, typescript });
  return { ...packed, holds: await fingerprint(folder) };
}

/**
 * What a test could change of the install by mistake (running a shipped
 * example from its folder, say): the names in node_modules and .bin, and
 * every file of the installed package with its size and modification time.
 */
async function fingerprint(folder: string): Promise<string[]> {
  const modules = join(folder, "node_modules");
  const names = async (dir: string) => (await readdir(dir)).sort().map((name) => relative(folder, join(dir, name)));
  const files = (await readdir(join(modules, "adhesive-bpmn"), { recursive: true })).sort();
  const described = await Promise.all(
    files.map(async (file) => {
      const path = join(modules, "adhesive-bpmn", file);
      const about = await stat(path);
      return about.isDirectory() ? `node_modules/adhesive-bpmn/${file}/` : `node_modules/adhesive-bpmn/${file} ${about.size} ${about.mtimeMs}`;
    }),
  );
  return [...(await names(modules)), ...(await names(join(modules, ".bin"))), ...described];
}

/* caps a hang of the file that builds and installs the package; it takes minutes on a loaded machine */
const INSTALL_LIMIT_MS = BUILD_LIMIT_MS + 600_000;

/**
 * The package installed once per test run (in ../global-setup.ts's folder),
 * or once for this test file when the run has no global setup. The getter
 * returns it once beforeAll has run. After the file's tests, its projects
 * are removed, and the file fails if the shared install changed.
 */
export function useInstalledPackage(): () => Installed {
  let installed: Installed | undefined;
  let holds: string[] = [];
  let owned: string | undefined;
  const projects: string[] = [];
  beforeAll(async () => {
    const folder = inject("packageFolder") ?? (owned = await mkdtemp(join(tmpdir(), "adhesive-package-")));
    const packed = await oncePerRun(folder, "the install of the package", INSTALL_LIMIT_MS, () => install(folder));
    holds = packed.holds;
    const { tarball, files } = packed;
    installed = {
      folder,
      tarball,
      bin: join(folder, "node_modules/adhesive-bpmn/bin/adhesive.js"),
      files,
      async project(name, packageJson) {
        const dir = await mkdtemp(join(folder, `${name}-`));
        projects.push(dir);
        if (packageJson) await writeFile(join(dir, "package.json"), JSON.stringify(packageJson, null, 2));
        return dir;
      },
      installInto: (dir, more = {}) => npmInstall(dir, { "adhesive-bpmn": `file:${tarball}`, ...more }),
    };
  }, INSTALL_LIMIT_MS + 60_000);
  afterAll(async () => {
    if (installed === undefined) return;
    for (const dir of projects) await rm(dir, { recursive: true, force: true });
    if (owned !== undefined) return rm(owned, { recursive: true, force: true });
    const now = await fingerprint(installed.folder);
    const changed = [...now.filter((entry) => !holds.includes(entry)), ...holds.filter((entry) => !now.includes(entry)).map((entry) => `${entry} (before)`)];
    if (changed.length > 0) throw new Error(`a test of this file changed the shared install in ${installed.folder} (copy it instead):\n${changed.join("\n")}`);
  });
  return () => {
    if (installed === undefined) throw new Error("the package is not installed yet: use it inside a test");
    return installed;
  };
}
