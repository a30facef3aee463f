/*
 * The package as a user gets it: built (npm run build), packed (npm pack),
 * and the tarball installed with typescript from the npm registry into one
 * shared folder outside the repository. The scenario projects are folders
 * below it: Node, npx and tsc find the shared node_modules up the tree, so
 * one install serves every project. The shared folder keeps no
 * package.json, or the "no package.json" project would have one above it.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../", import.meta.url));

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

// the outer `npm test` describes this repository's package to its children; the projects are others
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm_package_|npm_lifecycle_|INIT_CWD$)/.test(name)));

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
  /** the files the tarball holds, as npm pack lists them */
  files: string[];
  /** a new empty folder below the shared one */
  project(name: string, packageJson?: Record<string, unknown>): Promise<string>;
  remove(): Promise<void>;
}

export async function installPackage(): Promise<Installed> {
  const folder = await mkdtemp(join(tmpdir(), "adhesive-package-"));
  await mustRun(process.execPath, ["scripts/build.mjs"], root);
  const [packed] = JSON.parse(await mustRun("npm", ["pack", "--json", "--pack-destination", folder], root)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  // the same typescript as here, so that npm finds it in its cache
  const { version: typescript } = JSON.parse(readFileSync(join(root, "node_modules/typescript/package.json"), "utf8")) as { version: string };
  const dependencies = { "adhesive-bpmn": `file:${join(folder, packed.filename)}`, typescript };
  await writeFile(join(folder, "package.json"), JSON.stringify({ private: true, dependencies }));
  // no install scripts (as in this repository's .npmrc): ssh2 works without its native addon
  await mustRun("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--no-package-lock"], folder);
  await rm(join(folder, "package.json"));
  return {
    folder,
    files: packed.files.map((file) => file.path),
    async project(name, packageJson) {
      const dir = join(folder, name);
      await mkdir(dir);
      if (packageJson) await writeFile(join(dir, "package.json"), JSON.stringify(packageJson, null, 2));
      return dir;
    },
    remove: () => rm(folder, { recursive: true, force: true }),
  };
}
