import { open, stat } from "node:fs/promises";
import { describe } from "../errors.js";
import { checkFrame } from "../journal/framing.js";

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
  private framed: boolean | undefined;
  private mark: FileMark | undefined;
  /** why reading stopped for good (a changed byte); the records before it stand */
  problem: string | undefined;

  constructor(file: string) {
    this.file = file;
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
   * records then start from its header again), else "more".
   */
  async read(record: (record: RawRecord, offset: number) => void, now?: FileMark): Promise<"more" | "restart"> {
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
    if (this.problem === undefined && mark.size > this.offset) await this.readFrom(mark.size, record);
    return restart ? "restart" : "more";
  }

  private async readFrom(size: number, record: (record: RawRecord, offset: number) => void): Promise<void> {
    const handle = await open(this.file, "r");
    try {
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
        let start = 0;
        for (let newline = buffer.indexOf(10, kept); newline >= 0 && newline < filled; newline = buffer.indexOf(10, start)) {
          const parsed = this.parse(buffer, start, newline);
          if (parsed === undefined) return;
          record(parsed, this.offset);
          this.offset += newline + 1 - start;
          start = newline + 1;
        }
        kept = filled - start;
        if (start > 0) buffer.copy(buffer, 0, start, filled);
      }
    } finally {
      await handle.close();
    }
  }

  private parse(bytes: Buffer, start: number, end: number): RawRecord | undefined {
    this.framed ??= typeof checkFrame(bytes, start, end) === "number";
    let jsonEnd = end;
    if (this.framed) {
      const checked = checkFrame(bytes, start, end);
      if (typeof checked === "string") return this.stop(`corrupt record at byte offset ${this.offset}: ${checked}`);
      jsonEnd = checked;
    }
    try {
      const parsed = JSON.parse(bytes.toString("utf8", start, jsonEnd)) as unknown;
      if (parsed !== null && typeof parsed === "object" && typeof (parsed as { t?: unknown }).t === "string") return parsed as RawRecord;
      return this.stop(`corrupt record at byte offset ${this.offset}: not a journal record`);
    } catch (error) {
      return this.stop(`corrupt record at byte offset ${this.offset}: ${describe(error)}`);
    }
  }

  private stop(problem: string): undefined {
    this.problem = problem;
    return undefined;
  }
}
