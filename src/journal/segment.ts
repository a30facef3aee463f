import { closeSync, copyFileSync, fsyncSync, openSync, renameSync, rmSync, truncateSync } from "node:fs";
import { fileSystemReason } from "../errors.js";
import { JournalError } from "./journal-error.js";

/**
 * A new owner of a run goes on in a journal file of its own: the first
 * `length` bytes of the old one (what it read, a record a crash cut off
 * left out) copied into a new file that replaces the old one in one rename.
 * A former owner that wakes up (it was stopped, or hung) still has the old
 * file open: whatever it appends goes to a file no longer in the folder, so
 * it can never interleave records with the new owner's. `tag` keeps the
 * copies of two owners apart; `stillOwner` is asked just before the rename.
 */
export function restartJournal(file: string, length: number, tag: string, stillOwner: () => boolean): void {
  const next = `${file}.${tag}.tmp`;
  try {
    copyFileSync(file, next);
    truncateSync(next, length);
    const fd = openSync(next, "r+");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (!stillOwner()) {
      rmSync(next, { force: true });
      return;
    }
    renameSync(next, file);
  } catch (error) {
    rmSync(next, { force: true });
    throw new JournalError(file, `cannot start the journal over for its new owner: ${fileSystemReason(error)}`, { cause: error });
  }
}
