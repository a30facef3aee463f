import { AsyncResource } from "node:async_hooks";
import { closeSync, fstatSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { EngineCheckpoint } from "../engine/checkpoint.js";
import { fileSystemReason } from "../errors.js";
import { JournalError } from "./journal-error.js";
import { JournalRecords, type RunJournal } from "./journal-records.js";
import { framedLine } from "./framing.js";
import { JOURNAL_VERSION } from "./records.js";
import { snapshotJson, type JournalTallies } from "./snapshot.js";

export interface WriterOptions {
  /** the run's start (its header's `at`): records keep their time relative to it */
  origin: number;
  /** fsync after every write, for machines that may lose power (journal_fsync) */
  fsync: boolean;
  /** the format version of the file's header, when it goes on with an older one (a resume): a journal of format 2 or 3 is written on in its own records */
  version?: number;
  /** writing failed: the run must stop, since what it does could no longer be rebuilt */
  onError(error: Error): void;
  /**
   * Asked after every write, before anything the write recorded is acted on
   * (the tasks it started are launched): why this process may no longer
   * write the run (another took it over, src/runs/owner), or undefined.
   */
  fence?: () => Error | undefined;
  /** the header's line, which every journal file starts with (snapshot.ts) */
  header: string;
  /** what the journal said so far (a resumed run), for snapshots */
  tallies: JournalTallies;
  /** keeps temporary files of two owners apart (their epoch) */
  tag: string;
}

/** What the runtime lends the writer to take snapshots (snapshot.ts). */
export interface SnapshotSource {
  /** the file grows by this many bytes before the next snapshot is taken */
  every: number;
  /** the engine's checkpoint, when it is empty now */
  checkpoint(): EngineCheckpoint | undefined;
  /** holds new message instances back for a while, so the engine can become empty */
  hold(): void;
  /** lets them go on */
  release(): void;
}

/* how long a snapshot waits for the engine to become empty before it gives up until the file has grown some more */
const HOLD_MS = 2000;
const RETRY_MS = 5;

/**
 * Appends a run's records to its journal file. Records of one turn of the
 * event loop are group-committed: collected in memory, written with one
 * write() at the start of the next turn, then the tasks that waited for them
 * are launched, so a task's start and its predecessor's completion are on
 * disk before its function runs. A write() survives the process dying; an
 * fsync (opt-in) also survives the machine losing power.
 */
export class JournalWriter extends JournalRecords implements RunJournal {
  readonly file: string;
  private readonly options: WriterOptions;
  private fd: number | undefined;
  private waiting: Array<() => void> = [];
  /* acknowledgements waiting for what was recorded before them to be on disk */
  private durable: Array<(written: boolean) => void> = [];
  private scheduled = false;
  private broken = false;
  private snapshots: SnapshotSource | undefined;
  /* bytes in the journal file, and at how many the next snapshot is due */
  private size = 0;
  private nextSnapshot = Infinity;
  /* since when a snapshot waits for the engine to become empty */
  private holding: number | undefined;

  constructor(file: string, options: WriterOptions) {
    super(options.origin, options.tallies);
    this.format = options.version ?? JOURNAL_VERSION;
    this.file = file;
    this.options = options;
    try {
      this.fd = openSync(file, "a", 0o600);
      this.size = fstatSync(this.fd).size;
    } catch (error) {
      throw new JournalError(file, `cannot open the journal: ${fileSystemReason(error)}`, { cause: error });
    }
  }

  whenWritten(launch: () => void): void {
    this.waiting.push(launch);
    this.schedule();
  }

  writeNow(): boolean {
    const written = this.flush();
    if (!written) return false;
    this.settleDurable(true);
    // a full pool can keep the run in one slice of work for a while, with no commit turn to notice that a snapshot is due: the generators are held from here, and the snapshot is tried once the slice yields
    if (this.snapshotDue) this.holdForSnapshot();
    return true;
  }

  whenDurable(done: (written: boolean) => void): void {
    if (this.broken || this.fd === undefined) return done(false);
    this.durable.push(done);
    this.schedule();
  }

  /** Takes snapshots once the file has grown by `source.every` bytes (snapshot.ts). */
  snapshotEvery(source: SnapshotSource): void {
    this.snapshots = source;
    this.nextSnapshot = this.size + source.every;
  }

  /** Writes nothing more, now: another process owns the run. */
  abandon(): void {
    this.broken = true;
    this.waiting = [];
    this.settleDurable(false);
  }

  /** Writes what is pending now and closes the file (the run has ended). */
  close(): void {
    const written = this.flush();
    if (this.holding !== undefined) this.snapshots?.release();
    this.holding = undefined;
    this.snapshots = undefined;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.waiting = [];
    // what the last records acknowledge (a message that ended the run) is on disk now, or never will be
    this.settleDurable(written);
  }

  private settleDurable(written: boolean): void {
    if (this.durable.length === 0) return;
    const durable = this.durable;
    this.durable = [];
    for (const done of durable) done(written);
  }

  protected schedule(): void {
    if (this.scheduled || this.fd === undefined) return;
    this.scheduled = true;
    setImmediate(this.commit);
  }

  /*
   * Bound to the context the run started in: scheduled while some task's
   * promise settles, it would otherwise run in that task's async context,
   * and everything the tasks it launches report would count as that task's
   * output.
   */
  private readonly commit = AsyncResource.bind((): void => {
    this.scheduled = false;
    const written = this.flush();
    this.settleDurable(written);
    if (!written) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const launch of waiting) launch();
    if (this.snapshotDue) this.trySnapshot();
  });

  private get snapshotDue(): boolean {
    return this.size >= this.nextSnapshot && this.holding === undefined;
  }

  /* takes the snapshot once the engine is empty, holding new instances back for at most HOLD_MS */
  private readonly trySnapshot = AsyncResource.bind((): void => {
    const source = this.snapshots;
    if (source === undefined || this.fd === undefined || this.broken) return;
    if (!this.flush()) return;
    const checkpoint = source.checkpoint();
    if (checkpoint === undefined) {
      if (this.holding === undefined) return this.holdForSnapshot();
      if (Date.now() - this.holding < HOLD_MS) {
        // not unref()ed: while the generators are held, this timer may be all that keeps the run going
        setTimeout(this.trySnapshot, RETRY_MS);
        return;
      }
      // never empty for that long (instances that wait for something): the journal goes on, and is tried again later
      this.nextSnapshot = this.size + source.every / 4;
    } else {
      this.startFrom(checkpoint);
      this.nextSnapshot = this.size + source.every;
    }
    this.holding = undefined;
    source.release();
  });

  private holdForSnapshot(): void {
    this.holding = Date.now();
    this.snapshots?.hold();
    setTimeout(this.trySnapshot, RETRY_MS);
  }

  /* the new journal file: the header and the snapshot, on disk before it replaces the old one */
  private startFrom(checkpoint: EngineCheckpoint): void {
    const next = `${this.file}.snapshot-${this.options.tag}.tmp`;
    let fd: number | undefined;
    try {
      fd = openSync(next, "w", 0o600);
      const bytes = Buffer.from(this.options.header + framedLine(snapshotJson(checkpoint, this.tallies, Date.now() - this.origin)));
      for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
      const lost = this.options.fence?.();
      if (lost !== undefined) {
        closeSync(fd);
        rmSync(next, { force: true });
        this.abandon();
        this.options.onError(lost);
        return;
      }
      renameSync(next, this.file);
      if (this.options.fsync) fsyncFolder(dirname(this.file));
      closeSync(this.fd!);
      this.fd = fd;
      this.size = bytes.length;
      // the file starts again with a header of this version
      this.format = JOURNAL_VERSION;
    } catch {
      // the old file is whole (a full disk, say): the run goes on with it, and tries again once it has grown some more
      if (fd !== undefined && fd !== this.fd) closeSync(fd);
      rmSync(next, { force: true });
    }
  }

  /** false when the journal could not be written (the run is being stopped) */
  private flush(): boolean {
    if (this.broken || this.fd === undefined) return false;
    if (this.pending.length === 0) return true;
    // length first: it writes the records held open, which may move the bytes
    const length = this.pending.length;
    const bytes = this.pending.whole;
    try {
      for (let written = 0; written < length; ) written += writeSync(this.fd, bytes, written, length - written);
      this.size += length;
      this.pending.clear();
      if (this.options.fsync) fsyncSync(this.fd);
      // the write and this check are one step: what a former owner wrote after losing the run is never acted on (nor read: src/journal/segment.ts)
      const lost = this.options.fence?.();
      if (lost !== undefined) {
        this.abandon();
        this.options.onError(lost);
        return false;
      }
      return true;
    } catch (error) {
      this.broken = true;
      this.waiting = [];
      this.options.onError(new JournalError(this.file, `cannot write the journal: ${fileSystemReason(error)}; the run stops, since what it did next could not be rebuilt`, { cause: error }));
      return false;
    }
  }
}

/* the rename that put the new file in place survives a power cut once its folder is synced */
function fsyncFolder(folder: string): void {
  const fd = openSync(folder, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
