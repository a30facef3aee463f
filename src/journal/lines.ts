import { open } from "node:fs/promises";
import { describe } from "../errors.js";
import { JournalError } from "./journal-error.js";

/* bytes read at once; a longer line (a header with a big definition, a big value) grows the buffer */
const CHUNK = 1 << 20;

/**
 * Calls `line` with each complete line of the file (its newline left out)
 * and the byte offset it starts at, then `tail` with what follows the last
 * newline. `line` returning false stops the reading there.
 */
export async function readLines(
  file: string,
  line: (bytes: Buffer, start: number, end: number, offset: number) => boolean | void,
  tail: (bytes: Buffer, start: number, end: number, offset: number) => void,
): Promise<void> {
  let handle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    throw new JournalError(file, `cannot read the journal: ${describe(error)}`, { cause: error });
  }
  try {
    let buffer = Buffer.allocUnsafe(CHUNK);
    // bytes [0, kept) of the buffer are the start of a line not yet complete, which begins at `offset` in the file
    let kept = 0;
    let offset = 0;
    for (;;) {
      if (kept === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, kept);
        buffer = bigger;
      }
      let read: number;
      try {
        ({ bytesRead: read } = await handle.read(buffer, kept, buffer.length - kept, null));
      } catch (error) {
        throw new JournalError(file, `cannot read the journal at byte offset ${offset + kept}: ${describe(error)}`, { cause: error });
      }
      if (read === 0) {
        tail(buffer, 0, kept, offset);
        return;
      }
      const filled = kept + read;
      let start = 0;
      for (let newline = buffer.indexOf(10, kept); newline >= 0 && newline < filled; newline = buffer.indexOf(10, start)) {
        if (line(buffer, start, newline, offset) === false) return;
        offset += newline + 1 - start;
        start = newline + 1;
        if (start >= filled) break;
      }
      kept = filled - start;
      if (start > 0) buffer.copy(buffer, 0, start, filled);
    }
  } finally {
    await handle.close();
  }
}
