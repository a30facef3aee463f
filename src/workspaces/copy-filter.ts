/**
 * What `copyToAgent` leaves out of a folder it copies, in every workspace.
 * A project folder holds adhesive's own state (`.adhesive/`: the runs with
 * their journals and live control sockets, the secrets, maybe the
 * workspaces themselves) and entries that are no files at all (sockets,
 * FIFOs, devices), which no copy can reproduce: copying the project into a
 * workspace must neither fail on them nor carry them along. A path named
 * as the source itself is copied as asked.
 */
import type { Stats } from "node:fs";
import { lstat } from "node:fs/promises";
import { basename } from "node:path";

/** The folder of adhesive's own state in a project (runs, secrets, config). */
export const ADHESIVE_FOLDER = ".adhesive";

/** Whether an entry found below the copied source is left out. */
export function skippedInCopy(name: string, stats: Stats): boolean {
  if (name === ADHESIVE_FOLDER && stats.isDirectory()) return true;
  return !(stats.isFile() || stats.isDirectory() || stats.isSymbolicLink());
}

/** `fs.cp`'s filter for a copy of `source`: the source itself always passes (an unsupported one fails in `cp`, saying why). */
export function copyFilter(source: string): (path: string) => Promise<boolean> {
  return async (path) => path === source || !skippedInCopy(basename(path), await lstat(path));
}
