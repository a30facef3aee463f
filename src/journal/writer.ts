import { AsyncResource } from "node:async_hooks";
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import type { EngineJournal } from "../engine/journal.js";
import type { TaskDataResult } from "../engine/task-data.js";
import type { GraphNode } from "../model/graph.js";
import { describe } from "../errors.js";
import { JournalError } from "./journal-error.js";
import { changesText, doneLine, failedLine, failureRecord, jsonId, messageLine, noteLine, startedLine, timerLine } from "./records.js";

export interface WriterOptions {
  /** fsync after every write, for machines that may lose power (journal_fsync) */
  fsync: boolean;
  /** writing failed: the run must stop, since what it does could no longer be rebuilt */
  onError(error: JournalError): void;
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
  private pending = "";
  private waiting: Array<() => void> = [];
  private scheduled = false;
  private broken = false;

  constructor(file: string, options: WriterOptions) {
    this.file = file;
    this.options = options;
    try {
      this.fd = openSync(file, "a", 0o600);
    } catch (error) {
      throw new JournalError(file, `cannot open the journal: ${describe(error)}`, { cause: error });
    }
  }

  started(seq: number, node: GraphNode, attempt: number, at: number): void {
    this.add(startedLine(seq, jsonId(node, node.id), attempt, at));
  }

  done(seq: number, result: TaskDataResult | undefined, at: number): void {
    this.add(doneLine(seq, at, result === undefined ? undefined : changesText(result.data, result.changed)));
  }

  failed(seq: number, error: unknown, at: number): void {
    this.add(failedLine(seq, at, failureRecord(error)));
  }

  timer(arm: number, at: number): void {
    this.add(timerLine(arm, at));
  }

  emitted(node: GraphNode, event: unknown, at: number): void {
    this.add(messageLine("em", jsonId(node, node.id), at, event));
  }

  delivered(node: GraphNode, event: unknown, at: number): void {
    this.add(messageLine("dl", jsonId(node, node.id), at, event));
  }

  /** A record for people and for `adhesive runs` (lanes, process groups, the end), not an input. */
  note(note: Record<string, unknown>): void {
    this.add(noteLine(note));
  }

  whenWritten(launch: () => void): void {
    this.waiting.push(launch);
    this.schedule();
  }

  /** Writes what is pending now and closes the file (the run has ended). */
  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.waiting = [];
  }

  private add(line: string): void {
    this.pending += line;
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
    if (this.pending === "") return true;
    const text = this.pending;
    this.pending = "";
    try {
      writeSync(this.fd, text);
      if (this.options.fsync) fsyncSync(this.fd);
      return true;
    } catch (error) {
      this.broken = true;
      this.waiting = [];
      this.options.onError(new JournalError(this.file, `cannot write the journal: ${describe(error)}`, { cause: error }));
      return false;
    }
  }
}
