import { renameSync, writeFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { OWNER_ONLY_FILE } from "../workspaces/temp-folder.js";

/*
 * The files of a run, one name each. A run has a folder under runs_folder
 * (`<runs_folder>/<run id>/`) with what it did and how it stands, and a
 * workspace under temp_folder (`<temp_folder>/<run id>/workspace/`) for its
 * commands; the two are one folder when both settings name the same place.
 */

/** The run's summary (summary.ts): how it stands, read without its journal. */
export const SUMMARY_FILE = "run.json";
/** What the run did, to rebuild it (src/journal). */
export const JOURNAL_FILE = "journal.ndjson";
/** What each task printed (src/logs). */
export const LOGS_FOLDER = "logs";
/** The claims of the processes that owned the run, one folder per epoch (owner/). */
export const OWNERS_FOLDER = "owners";
/** The live view's final per-element counts, to draw a finished run. */
export const VIEW_FILE = "view.json";
/** A copy of the BPMN file as it was when the run started, to draw it later. */
export const PROCESS_COPY_FILE = "process.bpmn";
/** The definition of a process built in code, to draw it later. */
export const DEFINITION_FILE = "definition.json";
/** What the CLI processes the console started for the run (retry, resume) printed. */
export const ACTIONS_LOG_FILE = "actions.log";
/** The console's read model of the journal (src/console/journal-index.ts): read again instead of the journal while the journal is the one it was made of. */
export const CONSOLE_INDEX_FILE = "console-index.bin";
/** Under temp_folder: the folder commands run in. */
export const WORKSPACE_FOLDER = "workspace";
/** Under temp_folder, beside the workspace: which runs folder the run belongs to (retention.ts). */
export const WORKSPACE_MARKER_FILE = "workspace.json";

/** Written aside and renamed: a reader (the runs list, adhesive send) never sees half a file. */
export async function writeRunFile(runFolder: string, name: string, content: string | Uint8Array): Promise<void> {
  const path = join(runFolder, name);
  const aside = `${path}.${process.pid}.tmp`;
  await writeFile(aside, content, { mode: OWNER_ONLY_FILE });
  await rename(aside, path);
}

/** The same, synchronously (a few small files at the start and end of a run). */
export function writeRunFileSync(runFolder: string, name: string, content: string): void {
  const path = join(runFolder, name);
  const aside = `${path}.${process.pid}.tmp`;
  writeFileSync(aside, content, { mode: OWNER_ONLY_FILE });
  renameSync(aside, path);
}
