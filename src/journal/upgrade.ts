import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { describe } from "../errors.js";
import { framedLine } from "./framing.js";
import { JournalError } from "./journal-error.js";
import { readLines } from "./lines.js";
import { JOURNAL_VERSION } from "./records.js";

/**
 * A journal of format 1 (no checksums), about to be continued, is written
 * again as format 2: every line framed with its checksum, the header saying
 * version 2; a record a crash cut off is left out. The new file replaces
 * the old one in one rename, so a crash meanwhile leaves one or the other.
 */
export async function upgradeJournal(file: string): Promise<void> {
  const next = `${file}.upgrade`;
  let fd: number | undefined;
  try {
    fd = openSync(next, "w", 0o600);
    const out = fd;
    let first = true;
    await readLines(
      file,
      (bytes, start, end) => {
        let json = bytes.toString("utf8", start, end);
        if (first) json = JSON.stringify({ ...(JSON.parse(json) as object), v: JOURNAL_VERSION });
        first = false;
        writeSync(out, framedLine(json));
      },
      () => undefined,
    );
    fsyncSync(out);
    closeSync(out);
    fd = undefined;
    renameSync(next, file);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    if (error instanceof JournalError) throw error;
    throw new JournalError(file, `cannot write the journal in format ${JOURNAL_VERSION}: ${describe(error)}`, { cause: error });
  }
}
