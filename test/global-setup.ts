/*
 * Folders for what the test files of one run share, each made once by the
 * first file that needs it while the others wait (once-per-run.ts): the
 * build of the package (built-package.ts), which the CLI tests run and
 * test/package packs, and the install of the packed tarball that the files
 * of test/package share (package/installed.ts). Building takes half a
 * minute of CPU, installing about as much again.
 *
 * This only names the folders and removes them at the end: a run without
 * the files that need them (`vitest run test/engine`) builds nothing.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const folders = { buildFolder: await mkdtemp(join(tmpdir(), "adhesive-build-")), packageFolder: await mkdtemp(join(tmpdir(), "adhesive-package-")) };
  for (const [name, folder] of Object.entries(folders)) project.provide(name as keyof typeof folders, folder);
  // in watch mode, a rerun builds afresh: the sources may have changed
  project.onTestsRerun(async () => {
    for (const folder of Object.values(folders)) {
      await rm(folder, { recursive: true, force: true });
      await mkdir(folder);
    }
  });
  return async () => {
    for (const folder of Object.values(folders)) await rm(folder, { recursive: true, force: true });
  };
}
