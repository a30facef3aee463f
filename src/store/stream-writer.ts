import { AsyncResource } from "node:async_hooks";
import { describe } from "../errors.js";
import { JournalError } from "../journal/journal-error.js";
import { JournalRecords, type RunJournal } from "../journal/journal-records.js";
import type { JournalTallies } from "../journal/snapshot.js";
import type { GraphNode } from "../model/graph.js";
import { OwnerLostError } from "../runs/owner/lease.js";
import { appendJournal } from "./journal-stream.js";
import type { StoreLease } from "./lease.js";

export interface StreamWriterOptions {
  /** the run's start (its header's `at`) */
  origin: number;
  tallies: JournalTallies;
  /** the journal can no longer be written (another process owns the run): the run must stop */
  onError(error: Error): void;
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
  /* the events of inbox messages handed to the run and not recorded yet, and their entries */
  private readonly inboxEvents = new Map<unknown, string>();

  constructor(lease: StoreLease, options: StreamWriterOptions) {
    super(options.origin, options.tallies);
    this.lease = lease;
    this.onError = options.onError;
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
    if (!this.writing && !this.scheduled) void this.write();
  }

  /** Resolves once nothing is pending or being written (or nothing more can be). */
  drained(): Promise<void> {
    if (this.broken || (!this.writing && !this.scheduled && this.pending.length === 0)) return Promise.resolve();
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
    while (!this.broken && (this.pending.length > 0 || this.waiting.length > 0 || this.durable.length > 0 || this.acks.length > 0)) {
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
      this.settleDurable(durable, true);
      if (!this.closing) for (const launch of waiting) launch();
    }
    this.settleIdle();
  }

  private settleDurable(durable: Array<(written: boolean) => void>, written: boolean): void {
    for (const done of durable) done(written);
  }

  private settleIdle(): void {
    if (this.writing || this.scheduled) return;
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
