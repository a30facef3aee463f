/*
 * One install of the packed tarball per test run, shared by the test files
 * of test/package (installed.ts): building, packing and installing it takes
 * half a minute of CPU, three times over when each file did it.
 *
 * This only names the folder the install will go to, and removes it at the
 * end: the first test file that needs the install builds it there, the
 * others wait for it (installed.ts). A run without test/package files
 * (`vitest run test/engine`) builds nothing.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** an empty folder for the shared install of the packed tarball (installed.ts) */
    packageFolder: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const folder = await mkdtemp(join(tmpdir(), "adhesive-package-"));
  project.provide("packageFolder", folder);
  // in watch mode, a rerun builds afresh: the sources may have changed
  project.onTestsRerun(async () => {
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder);
  });
  return () => rm(folder, { recursive: true, force: true });
}
