import { AsyncResource } from "node:async_hooks";
import { describe } from "../errors.js";
import { JournalError } from "../journal/journal-error.js";
import { JournalRecords, type RunJournal } from "../journal/journal-records.js";
import { framedLine } from "../journal/framing.js";
import { JOURNAL_VERSION } from "../journal/records.js";
import { snapshotJson, type JournalTallies } from "../journal/snapshot.js";
import type { SnapshotSource } from "../journal/writer.js";
import type { GraphNode } from "../model/graph.js";
import { OwnerLostError } from "../runs/owner/lease.js";
import { appendJournal, snapshotJournal } from "./journal-stream.js";
import type { StoreLease } from "./lease.js";

/* how long a snapshot waits for the engine to become empty before it gives up until the stream has grown some more (as the file writer's) */
const HOLD_MS = 2000;
const RETRY_MS = 5;

export interface StreamWriterOptions {
  /** the run's start (its header's `at`) */
  origin: number;
  tallies: JournalTallies;
  /** the journal can no longer be written (another process owns the run): the run must stop */
  onError(error: Error): void;
  /** the format version of the stream's header, when it goes on with an older one (a takeover): a stream of format 2 or 3 is written on in its own records */
  version?: number;
}

/**
 * Appends a run's records to its journal stream in the store, as the file
 * writer appends them to the journal file: the records of one turn of the
 * event loop go in with one fenced script (journal-stream.ts), and only
 * then are the tasks that waited for them launched. So a remote task's
 * start record is in the stream before its job is added, and whoever
 * replays the stream knows every job the run may have added.
 *
 * One append is in flight at a time: what is recorded meanwhile goes in
 * the next, in order. While Redis is down an append waits for it (the
 * connection retries without end), so the run stalls and goes on once
 * Redis is back. An append the fence refuses (another process owns the
 * run) stops the run with nothing more written.
 *
 * A message from the run's inbox in the store is acknowledged by the
 * append that holds its record (expectInbox): journaled and acknowledged
 * together or neither, so a new owner never delivers a journaled message
 * again, and never loses one that is not.
 *
 * Snapshots keep the stream as long as the run's live state, as they keep
 * a journal file (src/journal/snapshot.ts): once the records appended have
 * grown by `every` bytes, at a moment when the engine is empty and every
 * record is in the stream, the snapshot record goes in as the next write
 * and the stream before it is trimmed (journal-stream.ts), fenced like an
 * append; what the run records meanwhile follows it.
 */
export class StreamJournalWriter extends JournalRecords implements RunJournal {
  private readonly lease: StoreLease;
  private readonly onError: (error: Error) => void;
  private waiting: Array<() => void> = [];
  private durable: Array<(written: boolean) => void> = [];
  private scheduled = false;
  private writing = false;
  private broken = false;
  private closing = false;
  private idle: Array<() => void> = [];
  /* inbox entries to acknowledge with the next append: their records are in `pending` */
  private acks: string[] = [];
  /* inbox entries to acknowledge with the run's end (a cancel) */
  private endAcks: string[] = [];
  /* the events of inbox messages handed to the run and not recorded yet, and their entries */
  private readonly inboxEvents = new Map<unknown, string>();
  private snapshots: SnapshotSource | undefined;
  /* bytes of records in the stream (as a journal file's size), and at how many the next snapshot is due */
  private size: number;
  private nextSnapshot = Infinity;
  /* since when a snapshot waits for the engine to become empty */
  private holding: number | undefined;
  /* the snapshot record taken, written before anything recorded after it */
  private snapshotLine: Buffer | undefined;

  constructor(lease: StoreLease, options: StreamWriterOptions & { size?: number }) {
    super(options.origin, options.tallies);
    this.format = options.version ?? JOURNAL_VERSION;
    this.lease = lease;
    this.onError = options.onError;
    this.size = options.size ?? 0;
  }

  /** Takes snapshots once the stream has grown by `source.every` bytes of records. */
  snapshotEvery(source: SnapshotSource): void {
    this.snapshots = source;
    this.nextSnapshot = this.size + source.every;
  }

  whenWritten(launch: () => void): void {
    if (this.broken) return;
    this.waiting.push(launch);
    this.schedule();
  }

  /* a write to the store cannot be made while the caller waits: the engine then launches on whenWritten */
  writeNow(): boolean {
    return false;
  }

  whenDurable(done: (written: boolean) => void): void {
    if (this.broken) return done(false);
    this.durable.push(done);
    this.schedule();
  }

  abandon(): void {
    this.broken = true;
    this.snapshotLine = undefined;
    if (this.holding !== undefined) this.snapshots?.release();
    this.holding = undefined;
    this.snapshots = undefined;
    this.waiting = [];
    this.settleDurable(this.durable.splice(0), false);
    this.settleIdle();
  }

  /**
   * The inbox entry `entry` carries a message whose event is `event` (the
   * very value the run will record): the append that holds the first record
   * of that event (a delivery or a new instance) acknowledges the entry.
   */
  expectInbox(event: unknown, entry: string): void {
    this.inboxEvents.set(event, entry);
  }

  /** The inbox entry `entry` goes in with the next append: what it asked for was just recorded (an answer's user task completion). */
  acknowledgeWithNext(entry: string): void {
    this.acks.push(entry);
    this.schedule();
  }

  /** The inbox entry `entry` goes in with the run's end record: what it asked for is the run's end (a cancel). */
  acknowledgeAtEnd(entry: string): void {
    this.endAcks.push(entry);
  }

  /** Forgets an expected event once its message was handled; true when its record (and so its acknowledgement) went in or is on its way. */
  settleInbox(event: unknown): boolean {
    return !this.inboxEvents.delete(event);
  }

  override delivered(node: GraphNode, event: unknown, at: number, correlation: string | undefined): void {
    super.delivered(node, event, at, correlation);
    if (this.inboxEvents.size > 0) this.recordedInbox(event);
  }

  override emitted(node: GraphNode, event: unknown, at: number, instance: number): void {
    super.emitted(node, event, at, instance);
    if (this.inboxEvents.size > 0) this.recordedInbox(event);
  }

  private recordedInbox(event: unknown): void {
    const entry = this.inboxEvents.get(event);
    if (entry === undefined) return;
    this.inboxEvents.delete(event);
    this.acks.push(entry);
  }

  /** Task executions that returned, and that failed, as recorded so far (for the registry). */
  counts(): { done: number; failed: number } {
    return { done: this.tallies.done, failed: this.tallies.failed };
  }

  /** Writes what is pending (the end note) and takes nothing more; drained() says when it is in. */
  close(): void {
    this.closing = true;
    this.waiting = [];
    this.acks.push(...this.endAcks.splice(0));
    if (!this.writing && !this.scheduled) void this.write();
  }

  /** Resolves once nothing is pending or being written (or nothing more can be). */
  drained(): Promise<void> {
    if (this.broken || (!this.writing && !this.scheduled && this.pending.length === 0 && this.snapshotLine === undefined)) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  protected schedule(): void {
    if (this.scheduled || this.broken) return;
    this.scheduled = true;
    setImmediate(this.commit);
  }

  /* bound to the run's own async context, as the file writer's commit (writer.ts) */
  private readonly commit = AsyncResource.bind((): void => {
    this.scheduled = false;
    // the append in flight starts the next one when it ends
    if (!this.writing) void this.write();
  });

  private async write(): Promise<void> {
    while (!this.broken && (this.pending.length > 0 || this.waiting.length > 0 || this.durable.length > 0 || this.acks.length > 0 || this.snapshotLine !== undefined)) {
      if (this.snapshotLine !== undefined && !(await this.writeSnapshot(this.snapshotLine))) return;
      // copied: the buffer is reused for what is recorded while this append is under way
      const bytes = this.pending.length > 0 ? Buffer.from(this.pending.view()) : undefined;
      this.pending.clear();
      const acks = this.acks;
      this.acks = [];
      const waiting = this.waiting;
      const durable = this.durable;
      this.waiting = [];
      this.durable = [];
      this.writing = true;
      try {
        if (bytes !== undefined || acks.length > 0) await appendJournal(this.lease, bytes ?? Buffer.alloc(0), acks);
        // the kill tests' crash between journaling an inbox message and replying to its sender
        if (acks.length > 0 && process.env.TEST_ADHESIVE_CRASH_AFTER_INBOX_RECORD === "1") process.kill(process.pid, "SIGKILL");
      } catch (error) {
        this.writing = false;
        this.broken = true;
        this.settleDurable(durable, false);
        this.abandon();
        this.onError(error instanceof OwnerLostError ? error : new JournalError(`run ${this.lease.runId} (journal stream)`, `cannot write the journal: ${describe(error)}; the run stops, since what it did next could not be rebuilt`, { cause: error }));
        return;
      }
      this.writing = false;
      this.size += bytes?.length ?? 0;
      this.settleDurable(durable, true);
      if (!this.closing) for (const launch of waiting) launch();
      if (this.size >= this.nextSnapshot && this.holding === undefined && !this.closing) this.trySnapshot();
    }
    this.settleIdle();
  }

  /* false when the fence refused it (the run stops); a snapshot that failed otherwise leaves the stream whole, tried again once it has grown some more */
  private async writeSnapshot(line: Buffer): Promise<boolean> {
    this.snapshotLine = undefined;
    this.writing = true;
    try {
      this.size = await snapshotJournal(this.lease, line);
      this.nextSnapshot = this.size + (this.snapshots?.every ?? Infinity);
    } catch (error) {
      if (error instanceof OwnerLostError) {
        this.writing = false;
        this.abandon();
        this.onError(error);
        return false;
      }
      this.nextSnapshot = this.size + (this.snapshots?.every ?? Infinity) / 4;
    }
    this.writing = false;
    return true;
  }

  /* takes the snapshot once the engine is empty and every record is in the stream, holding new instances back for at most HOLD_MS */
  private readonly trySnapshot = AsyncResource.bind((): void => {
    const source = this.snapshots;
    if (source === undefined || this.broken || this.closing) return;
    // a record not in the stream yet would come after the snapshot that already holds what it did
    const checkpoint = this.writing || this.scheduled || this.pending.length > 0 ? undefined : source.checkpoint();
    if (checkpoint === undefined) {
      if (this.holding === undefined) {
        this.holding = Date.now();
        source.hold();
      }
      if (Date.now() - this.holding < HOLD_MS) {
        // not unref()ed: while the generators are held, this timer may be all that keeps the run going
        setTimeout(this.trySnapshot, RETRY_MS);
        return;
      }
      // never empty for that long: the stream goes on, and is tried again later
      this.nextSnapshot = this.size + source.every / 4;
    } else {
      this.snapshotLine = Buffer.from(framedLine(snapshotJson(checkpoint, this.tallies, Date.now() - this.origin)));
      this.nextSnapshot = Infinity;
    }
    this.holding = undefined;
    source.release();
    // written by the append loop: the one under way takes it next, or the next turn starts one
    if (this.snapshotLine !== undefined) this.schedule();
  });

  private settleDurable(durable: Array<(written: boolean) => void>, written: boolean): void {
    for (const done of durable) done(written);
  }

  private settleIdle(): void {
    if (this.writing || this.scheduled) return;
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
