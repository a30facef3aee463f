import { open, stat } from "node:fs/promises";
import { describe } from "../errors.js";
import { checkFrame } from "../journal/framing.js";
import { flatRecord } from "./flat-record.js";

/* bytes read at once; a longer line grows the buffer */
const CHUNK = 256 * 1024;

/** A journal record as written (records.ts): `t` its type, `at` ms since the run started. */
export type RawRecord = Record<string, unknown> & { t: string };

/** What the file looked like at the last read: a change of either means there may be more. */
export interface FileMark {
  size: number;
  mtimeMs: number;
  ino: number;
}

/**
 * Reads a run's journal as it grows, from where the last read stopped: a
 * page that polls a running run costs the bytes written since, not the
 * whole file again. A record cut off at the end (being written, or left
 * by a crash) is read once it is whole. A journal replaced by a snapshot
 * (snapshot.ts renames a new file over it) or rewritten starts again:
 * `read` says so, and the caller forgets what it had.
 */
export class JournalFollower {
  readonly file: string;
  private offset = 0;
  private ino = -1;
  /* format 2 lines carry a checksum; format 1 lines are plain JSON (decided by the header) */
  framed: boolean | undefined;
  private mark: FileMark | undefined;
  /** why reading stopped for good (a changed byte); the records before it stand */
  problem: string | undefined;

  constructor(file: string) {
    this.file = file;
  }

  /** Where the next read starts: the bytes read so far, of the file with inode `ino`, and whether its lines are framed. */
  get position(): { offset: number; ino: number; framed: boolean | undefined } {
    return { offset: this.offset, ino: this.ino, framed: this.framed };
  }

  /** Reads on from `position` (a checkpoint's, checked against the file: journal-index.ts) instead of from the start. */
  startAt(position: { offset: number; ino: number; framed: boolean | undefined }): void {
    this.offset = position.offset;
    this.ino = position.ino;
    this.framed = position.framed;
  }

  /** The file's size, time and inode now; undefined when it is gone. */
  async look(): Promise<FileMark | undefined> {
    const info = await stat(this.file).catch(() => undefined);
    return info && { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino };
  }

  /** Whether the file changed since the last read. */
  changed(now: FileMark | undefined): boolean {
    return now === undefined || this.mark === undefined || now.size !== this.mark.size || now.mtimeMs !== this.mark.mtimeMs || now.ino !== this.mark.ino;
  }

  /**
   * Calls `record` with each record written since the last read, in order.
   * Returns "restart" when the file is another one than before (the
   * records then start from its header again), else "more". `chunk` is
   * called after each chunk's records: a long read lets others look at
   * what it read so far there.
   */
  async read(record: (record: RawRecord, offset: number) => void, now?: FileMark, chunk?: () => void): Promise<"more" | "restart"> {
    const mark = now ?? (await this.look());
    if (mark === undefined) throw new Error(`cannot read the journal ${this.file}: it is gone`);
    let restart = false;
    if (mark.ino !== this.ino || mark.size < this.offset) {
      restart = this.ino !== -1;
      this.ino = mark.ino;
      this.offset = 0;
      this.framed = undefined;
      this.problem = undefined;
    }
    this.mark = mark;
    if (this.problem === undefined && mark.size > this.offset) await this.readFrom(mark.size, record, chunk);
    return restart ? "restart" : "more";
  }

  private async readFrom(size: number, record: (record: RawRecord, offset: number) => void, chunk: (() => void) | undefined): Promise<void> {
    const handle = await open(this.file, "r");
    try {
      // bytes [0, kept) of the buffer: the start of a line not yet complete, which begins at this.offset in the file
      let buffer = Buffer.allocUnsafe(Math.min(CHUNK, size - this.offset));
      let kept = 0;
      while (this.offset + kept < size) {
        if (kept === buffer.length) {
          const bigger = Buffer.allocUnsafe(buffer.length * 2);
          buffer.copy(bigger, 0, 0, kept);
          buffer = bigger;
        }
        const { bytesRead } = await handle.read(buffer, kept, Math.min(buffer.length - kept, size - this.offset - kept), this.offset + kept);
        if (bytesRead === 0) break;
        const filled = kept + bytesRead;
        const lines = buffer.lastIndexOf(10, filled - 1) + 1;
        if (lines > 0) {
          if (!this.lines(buffer, lines, record)) return;
          chunk?.();
          buffer.copy(buffer, 0, lines, filled);
        }
        kept = filled - lines;
      }
    } finally {
      await handle.close();
    }
  }

  private lines(bytes: Buffer, end: number, record: (record: RawRecord, offset: number) => void): boolean {
    this.offset += readLines(bytes, end, this.offset, this, record);
    return this.problem === undefined;
  }
}

/** How a journal's lines are read: framed or not (decided by its first line), and why reading stopped for good. */
export interface LineFormat {
  framed: boolean | undefined;
  problem: string | undefined;
}

/**
 * The whole lines in bytes[0, end), the first at byte `base` of the
 * journal: frames checked line by line, then one JSON.parse for them all
 * (a million small parses cost twice as much). Each record goes to
 * `record` with its offset. Returns how many bytes were read: up to a
 * damaged record, whose reason is then in `format.problem`.
 */
export function readLines(bytes: Buffer, end: number, base: number, format: LineFormat, record: (record: RawRecord, offset: number) => void): number {
  const starts: number[] = [];
  let good = 0;
  for (let start = 0; start < end; ) {
    const newline = bytes.indexOf(10, start);
    format.framed ??= typeof checkFrame(bytes, start, newline) === "number";
    const checked = format.framed ? checkFrame(bytes, start, newline) : newline;
    if (typeof checked === "string") {
      format.problem = `corrupt record at byte offset ${base + start}: ${checked}`;
      break;
    }
    starts.push(start);
    start = good = newline + 1;
  }
  // the flat records (most of them) straight from the bytes, the others with one JSON.parse
  const records: unknown[] = new Array(starts.length);
  const others: number[] = [];
  const json: string[] = [];
  for (let k = 0; k < starts.length; k++) {
    // a checked frame is a tab and 8 hex digits before the newline
    const last = (k + 1 < starts.length ? starts[k + 1] : good) - (format.framed ? 10 : 1);
    const flat = flatRecord(bytes, starts[k], last);
    if (flat !== undefined) records[k] = flat;
    else {
      others.push(k);
      json.push(bytes.toString("utf8", starts[k], last));
    }
  }
  let parsed: unknown[];
  try {
    parsed = JSON.parse(`[${json.join(",")}]`) as unknown[];
  } catch {
    parsed = json.map((text) => {
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        return new Unparsed(describe(error));
      }
    });
  }
  for (let n = 0; n < others.length; n++) records[others[n]] = parsed[n];
  for (let k = 0; k < records.length; k++) {
    const parsed = records[k];
    if (parsed === null || typeof parsed !== "object" || parsed instanceof Unparsed || typeof (parsed as { t?: unknown }).t !== "string") {
      format.problem = `corrupt record at byte offset ${base + starts[k]}: ${parsed instanceof Unparsed ? parsed.reason : "not a journal record"}`;
      return starts[k];
    }
    record(parsed as RawRecord, base + starts[k]);
  }
  return good;
}

/* a line that is not JSON, and why */
class Unparsed {
  constructor(readonly reason: string) {}
}
