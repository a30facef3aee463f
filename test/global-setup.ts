/*
 * Folders for what the test files of one run share, each made once by the
 * first file that needs it while the others wait (once-per-run.ts): the
 * build of the package (built-package.ts), which the CLI tests run and
 * test/package packs, and the install of the packed tarball that the files
 * of test/package share (package/installed.ts). Building takes half a
 * minute of CPU, installing about as much again.
 *
 * It also makes the run's temporary folder: test/setup.ts points TMPDIR at
 * it, so what tests and the processes they start leave in the OS temp
 * folder (a killed CLI's run folder, a test's own mkdtemp) goes when the
 * run ends instead of piling up across runs.
 *
 * This only names the folders and removes them at the end: a run without
 * the files that need them (`vitest run test/engine`) builds nothing.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** the test run's temporary folder, removed when it ends */
    runTemp: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // short: unix socket paths under it must stay within 100 bytes (test/workspaces/checkout.test.ts)
  const runTemp = await mkdtemp(join(tmpdir(), "adh-"));
  project.provide("runTemp", runTemp);
  const folders = { buildFolder: await mkdtemp(join(runTemp, "build-")), packageFolder: await mkdtemp(join(runTemp, "package-")) };
  for (const [name, folder] of Object.entries(folders)) project.provide(name as keyof typeof folders, folder);
  // in watch mode, a rerun builds afresh: the sources may have changed
  project.onTestsRerun(async () => {
    for (const folder of Object.values(folders)) {
      await rm(folder, { recursive: true, force: true });
      await mkdir(folder);
    }
  });
  return async () => {
    await rm(runTemp, { recursive: true, force: true });
  };
}
