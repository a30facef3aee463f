import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { AdhesiveError } from "../errors.js";
import { JOURNAL_FILE, SUMMARY_FILE } from "./files.js";
import { RUN_ID, runFolderOf } from "./places.js";
import { join } from "node:path";

/** No run, or more than one, goes by the id (or id prefix) given. */
export class RunNotFoundError extends AdhesiveError {
  /** always `ADHESIVE_NO_SUCH_RUN` */
  declare readonly code: "ADHESIVE_NO_SUCH_RUN";
  /** the runs folder that was searched */
  readonly runsFolder: string;

  constructor(runsFolder: string, message: string) {
    super("ADHESIVE_NO_SUCH_RUN", message);
    this.runsFolder = runsFolder;
  }
}

/** A run's folder, found by its id. */
export interface FoundRunFolder {
  id: string;
  folder: string;
}

/**
 * The run with this id, or the only one whose id starts with it. A folder
 * is a run's when it has a summary or a journal, whether or not they can be
 * read: a run with a damaged journal is found, and reading it says what is
 * wrong, where.
 */
export async function findRun(runsFolder: string, idOrPrefix: string): Promise<FoundRunFolder> {
  if (!RUN_ID.test(idOrPrefix)) throw new RunNotFoundError(runsFolder, `"${idOrPrefix}" is not a run id`);
  const names = await readdir(runsFolder).catch(() => [] as string[]);
  const matching = names.filter((name) => name.startsWith(idOrPrefix) && isRunFolder(runFolderOf(runsFolder, name)));
  const exact = matching.includes(idOrPrefix) ? [idOrPrefix] : matching;
  if (exact.length === 1) return { id: exact[0], folder: runFolderOf(runsFolder, exact[0]) };
  if (exact.length === 0) throw new RunNotFoundError(runsFolder, `no run "${idOrPrefix}" in ${runsFolder} (adhesive runs lists them)`);
  throw new RunNotFoundError(runsFolder, `${exact.length} runs start with "${idOrPrefix}": ${exact.sort().join(", ")}; give more of the id`);
}

/** Whether the folder holds a run: its summary or its journal. */
export function isRunFolder(folder: string): boolean {
  return existsSync(join(folder, SUMMARY_FILE)) || existsSync(join(folder, JOURNAL_FILE));
}
