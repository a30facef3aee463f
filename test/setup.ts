/*
 * Each test file's temporary files go to the run's temporary folder
 * (global-setup.ts), which the run removes at its end; the processes the
 * tests start inherit it through TMPDIR.
 *
 * Runs started through the API keep their journal and logs under
 * ADHESIVE_RUNS_FOLDER (default `.adhesive/runs` of the working directory):
 * the suite's go to a temporary folder of each test worker, not into the
 * repository. CLI children inherit it; tests that look at run folders set
 * their own.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";

const runTemp = inject("runTemp");
if (runTemp !== undefined) process.env.TMPDIR = runTemp;
process.env.ADHESIVE_RUNS_FOLDER ??= mkdtempSync(join(tmpdir(), "adhesive-test-runs-"));
