import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { UsageError } from "../errors.js";

/*
 * Where runs live. The runs folder holds one folder per run: its journal,
 * logs and summary (default `.adhesive/runs` of the project, config
 * runs_folder); the temp folder one workspace per run (default the OS temp
 * folder's `adhesive/`, config temp_folder, which several projects may share).
 */

export interface RunPlacesOptions {
  runsFolder?: string;
  tempFolder?: string;
}

/** The run's runs folder; every run's options have it from the configuration (src/api/run-session.ts), unless its own code unset it. */
export function runsFolderOf(options: RunPlacesOptions): string {
  return resolve(options.runsFolder ?? join(process.cwd(), ".adhesive", "runs"));
}

export function tempFolderOf(options: RunPlacesOptions): string {
  return resolve(options.tempFolder ?? join(tmpdir(), "adhesive"));
}

/** `<runs folder>/<run id>`: the run's journal, logs and summary. */
export function runFolderOf(runsFolder: string, runId: string): string {
  return join(runsFolder, runId);
}

/** `<temp folder>/<run id>`: the folder of the run's workspace. */
export function workspaceParentOf(tempFolder: string, runId: string): string {
  return join(tempFolder, runId);
}

/** A run id names a folder: letters, digits, `-` and `_` only (randomUUID()s by default). */
export const RUN_ID = /^[\w-]+$/;

/** The run id, or a UsageError for one that cannot name a folder. */
export function checkedRunId(runId: string): string {
  if (!RUN_ID.test(runId)) throw new UsageError(`runId "${runId}": a run id names its folders, so it may only hold letters, digits, - and _`);
  return runId;
}
