import { AsyncResource } from "node:async_hooks";
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import type { EngineJournal } from "../engine/journal.js";
import type { TaskDataResult } from "../engine/task-data.js";
import type { GraphNode } from "../model/graph.js";
import { fileSystemReason } from "../errors.js";
import { JournalError } from "./journal-error.js";
import { changesText, failedJson, failureRecord, jsonId, messageJson, noteJson, timerJson } from "./records.js";
import { piece, RecordBuffer } from "./record-buffer.js";
import { encodeValue } from "./values.js";

const STARTED = piece('{"t":"s","s":');
const DONE = piece('{"t":"d","s":');
const ATTEMPT = piece(',"a":');
const AT = piece(',"at":');
const END = piece("}");
/* a start or completion record without its node id: the constant pieces and numbers of 24 characters at most */
const RECORD_BYTES = 96;

export interface WriterOptions {
  /** the run's start (its header's `at`): records keep their time relative to it */
  origin: number;
  /** fsync after every write, for machines that may lose power (journal_fsync) */
  fsync: boolean;
  /** writing failed: the run must stop, since what it does could no longer be rebuilt */
  onError(error: Error): void;
  /**
   * Asked after every write, before anything the write recorded is acted on
   * (the tasks it started are launched): why this process may no longer
   * write the run (another took it over, src/runs/owner), or undefined.
   */
  fence?: () => Error | undefined;
}

/**
 * Appends a run's records to its journal file. Records of one turn of the
 * event loop are group-committed: collected in memory, written with one
 * write() at the start of the next turn, then the tasks that waited for them
 * are launched, so a task's start and its predecessor's completion are on
 * disk before its function runs. A write() survives the process dying; an
 * fsync (opt-in) also survives the machine losing power.
 */
export class JournalWriter implements EngineJournal {
  readonly file: string;
  private readonly options: WriterOptions;
  private fd: number | undefined;
  private readonly origin: number;
  private readonly pending = new RecordBuffer();
  /* per node (by index: one run, one graph), its start record's middle `,"n":<id>,"at":`, encoded once */
  private readonly startMiddles: Array<Buffer | undefined> = [];
  private waiting: Array<() => void> = [];
  private scheduled = false;
  private broken = false;

  constructor(file: string, options: WriterOptions) {
    this.file = file;
    this.options = options;
    this.origin = options.origin;
    try {
      this.fd = openSync(file, "a", 0o600);
    } catch (error) {
      throw new JournalError(file, `cannot open the journal: ${fileSystemReason(error)}`, { cause: error });
    }
  }

  /* {"t":"s","s":<seq>[,"a":<attempt>],"n":<id>,"at":<ms>} */
  started(seq: number, node: GraphNode, attempt: number, at: number): void {
    const out = this.pending;
    const middle = (this.startMiddles[node.index] ??= Buffer.from(`,"n":${JSON.stringify(node.id)},"at":`));
    out.reserve(RECORD_BYTES + middle.length);
    out.piece(STARTED);
    out.int(seq);
    if (attempt !== 1) {
      out.piece(ATTEMPT);
      out.int(attempt);
    }
    out.piece(middle);
    out.int(at - this.origin);
    out.piece(END);
    out.seal();
    this.schedule();
  }

  /* {"t":"d","s":<seq>,"at":<ms>[,"c":{...},"r":[...]][,"g":<the flow a deciding gateway's function chose>]} */
  done(seq: number, result: TaskDataResult | undefined, at: number, decision?: unknown): void {
    const out = this.pending;
    out.reserve(RECORD_BYTES);
    out.piece(DONE);
    out.int(seq);
    out.piece(AT);
    out.int(at - this.origin);
    if (result !== undefined) out.text(`,${changesText(result.data, result.changed)}`);
    if (decision !== undefined) out.text(`,"g":${JSON.stringify(encodeValue(decision))}`);
    // the texts reserved only their own room
    out.reserve(END.length);
    out.piece(END);
    out.seal();
    this.schedule();
  }

  failed(seq: number, error: unknown, at: number): void {
    this.add(failedJson(seq, at - this.origin, failureRecord(error)));
  }

  timer(arm: number, at: number): void {
    this.add(timerJson(arm, at - this.origin));
  }

  emitted(node: GraphNode, event: unknown, at: number): void {
    this.add(messageJson("em", jsonId(node, node.id), at - this.origin, event));
  }

  delivered(node: GraphNode, event: unknown, at: number, correlation: string | undefined): void {
    this.add(messageJson("dl", jsonId(node, node.id), at - this.origin, event, correlation));
  }

  /** A record for people and for `adhesive runs` (lanes, process groups, the end), not an input; its `at` is absolute. */
  note(note: Record<string, unknown>): void {
    this.add(noteJson(typeof note.at === "number" ? { ...note, at: note.at - this.origin } : note));
  }

  whenWritten(launch: () => void): void {
    this.waiting.push(launch);
    this.schedule();
  }

  /** Writes nothing more, now: another process owns the run. */
  abandon(): void {
    this.broken = true;
    this.waiting = [];
  }

  /** Writes what is pending now and closes the file (the run has ended). */
  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.waiting = [];
  }

  private add(json: string): void {
    this.pending.text(json);
    this.pending.seal();
    this.schedule();
  }

  private schedule(): void {
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
    if (!this.flush()) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const launch of waiting) launch();
  });

  /** false when the journal could not be written (the run is being stopped) */
  private flush(): boolean {
    if (this.broken || this.fd === undefined) return false;
    if (this.pending.length === 0) return true;
    const bytes = this.pending.view();
    try {
      for (let written = 0; written < bytes.length; ) written += writeSync(this.fd, bytes, written, bytes.length - written);
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
