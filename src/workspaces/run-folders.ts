import { existsSync } from "node:fs";
import { lstat, readdir, readFile, rm, stat } from "node:fs/promises";
import { readJournal } from "../journal/reader.js";
import { JOURNAL_FILE } from "../journal/records.js";
import { stateOf } from "../journal/run-summary.js";
import { isAlive } from "../journal/process-identity.js";
import { join } from "node:path";

/** The marker a run leaves in its folder: which process owns it while it runs. */
export const RUN_MARKER = "run.json";

/** One `<temp_folder>/<executionId>` folder. */
export interface RunFolder {
  executionId: string;
  path: string;
  /** when the run started (the folder's modification time: its children are created at the start) */
  modified: Date;
  /** the process that owns it is still alive, or its journal says it can be resumed: never removed */
  running: boolean;
}

/* executionIds are randomUUID()s: a folder named otherwise under the temp folder is not a run's, whatever it holds */
const EXECUTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The run folders under `tempFolder`, newest first; other entries are left out. */
export async function listRunFolders(tempFolder: string): Promise<RunFolder[]> {
  const entries = await readdir(tempFolder, { withFileTypes: true }).catch(() => []);
  const folders: RunFolder[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !EXECUTION_ID.test(entry.name)) continue;
    const path = join(tempFolder, entry.name);
    const children = await readdir(path).catch(() => [] as string[]);
    // a run creates workspace/ and logs/ first: without them it is someone else's folder
    if (!children.includes("workspace") && !children.includes("logs")) continue;
    const modified = (await stat(path).catch(() => undefined))?.mtime;
    if (modified === undefined) continue;
    folders.push({ executionId: entry.name, path, modified, running: (await ownerAlive(path)) || (await resumable(path)) });
  }
  return folders.sort((a, b) => b.modified.getTime() - a.modified.getTime());
}

/** The folders a retention of `keep` finished runs removes: every finished one after the newest `keep`. */
export function beyondRetention(folders: readonly RunFolder[], keep: number): RunFolder[] {
  return folders.filter((folder) => !folder.running).slice(keep);
}

/** Removes the finished run folders beyond the newest `keep`; returns those removed. */
export async function pruneRunFolders(tempFolder: string, keep: number): Promise<RunFolder[]> {
  const removed: RunFolder[] = [];
  for (const folder of beyondRetention(await listRunFolders(tempFolder), keep)) {
    await rm(folder.path, { recursive: true, force: true });
    removed.push(folder);
  }
  return removed;
}

/** Bytes under a folder (files only, links not followed). */
export async function folderSize(path: string): Promise<number> {
  const entries = await readdir(path, { recursive: true }).catch(() => [] as string[]);
  let total = 0;
  for (const entry of entries) {
    const info = await lstat(join(path, entry)).catch(() => undefined);
    if (info?.isFile()) total += info.size;
  }
  return total;
}

/* a run folder of runs_folder whose run was interrupted (or runs): removing it would lose what `adhesive resume` needs */
async function resumable(path: string): Promise<boolean> {
  const file = join(path, JOURNAL_FILE);
  if (!existsSync(file)) return false;
  try {
    const state = stateOf(await readJournal(file));
    return state === "interrupted" || state === "running";
  } catch {
    return true; // unreadable: left for a person to look at
  }
}

async function ownerAlive(path: string): Promise<boolean> {
  let pid: unknown;
  try {
    ({ pid } = JSON.parse(await readFile(join(path, RUN_MARKER), "utf8")) as { pid?: unknown });
  } catch {
    // no marker (a run from before markers, or killed before writing it): nothing says it is running
    return false;
  }
  if (typeof pid !== "number" || !Number.isInteger(pid) || pid <= 0) return false;
  // the marker has no start time: any process with that pid counts, also another user's
  return isAlive({ pid, start: undefined });
}
