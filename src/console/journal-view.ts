import type { ProcessDefinition } from "../model/definition.js";
import type { RunState } from "../journal/records.js";
import type { EncodedValue } from "../journal/values.js";
import { float64s, int32s, uint16s, uint8s } from "./columns.js";
import { ElementTally, OUTCOME, type ElementCounts } from "./element-tally.js";
import { DataTrail } from "./data-trail.js";
import { elementsOf, type ElementInfo } from "./definition-elements.js";
import { InstanceTable } from "./instance-table.js";
import type { RawRecord } from "./journal-follower.js";
import { KIND, KINDS, OUTCOMES, type EntryExtra, type EntryKind, type Execution, type ExecutionExtra, type ExecutionOutcome, type TimelineEntry } from "./timeline-entry.js";

/*
 * A run's journal as the console shows it: a timeline of what happened
 * (tasks started and ended, decisions, answers, timers, messages, resumes,
 * the end) and, per task execution, what it changed in the data. Built one
 * record at a time as the journal grows (journal-follower.ts), so a page
 * polling a running run costs the new records only. Kept in columns, a few
 * numbers per record, with the rare extras (errors, changes, values) aside:
 * a run of 100k message events is over a million records. Values stay
 * encoded as the journal has them until a page asks for them (entries.ts).
 */

export type { ElementCounts, EntryKind, Execution, ExecutionOutcome, TimelineEntry };

/** The journal of one run, read so far. */
export class JournalView {
  readonly runId: string;
  readonly startedAt: number;
  readonly elements: ReadonlyMap<string, ElementInfo>;
  /** how the run ended, as the journal says (undefined while it runs, or after a resume); `data`: a run that succeeded, its result */
  end: { state: RunState; at: number; error: string | undefined; elementId: string | undefined; data: EncodedValue | undefined } | undefined;
  /** the message instances it started */
  readonly instances = new InstanceTable();
  /** the journal starts from a snapshot: task executions before it are counted there, not listed */
  snapshot: { done: number; failed: number; caught: number } | undefined;
  /* element ids by number, as the columns hold them */
  private readonly ids: string[] = [];
  private readonly idNumbers = new Map<string, number>();
  /* the timeline, one position per entry; -1: no element, no task number */
  private readonly kind = uint8s();
  private readonly at = float64s();
  private readonly element = int32s();
  private readonly seq = int32s();
  private readonly instance = int32s();
  private readonly extras = new Map<number, EntryExtra>();
  /* per element: its counts and entries, kept as they come (no request walks the timeline) */
  private tally = new ElementTally();
  /*
   * The message instance of the last input the run applied (a task's end,
   * a message that started an instance): the engine moves that input's
   * tokens on before it applies the next, so a gateway, loop or event that
   * fails the run before another input fails in that instance. -1: not
   * known (a timer or a message to waiting events, which name none, or a
   * resume).
   */
  private lastInput = -1;
  /* the position of the last resume or end: a failure before it is not this end's */
  private lastTurn = -1;
  /* task executions by task number (from the first one seen): element (-1: none yet), times, outcome, attempts */
  private seqBase = -1;
  private readonly exElement = int32s();
  private readonly exStarted = float64s();
  private readonly exEnded = float64s();
  private readonly exOutcome = uint8s();
  private readonly exAttempts = uint16s();
  private readonly exInstance = int32s();
  private readonly exExtras = new Map<number, ExecutionExtra>();
  /** the data as the journal's changes so far give it, per message instance */
  readonly data: DataTrail;

  constructor(header: RawRecord) {
    this.runId = String(header.run);
    this.startedAt = Number(header.at);
    this.elements = elementsOf(header.definition as ProcessDefinition | undefined);
    this.data = new DataTrail(header.initial as EncodedValue | undefined);
  }

  /** How many entries the timeline has. */
  get size(): number {
    return this.kind.length;
  }

  /** The next record of the journal, after its header. */
  add(record: RawRecord): void {
    const at = this.startedAt + (typeof record.at === "number" ? record.at : 0);
    const seq = typeof record.s === "number" ? record.s : undefined;
    switch (record.t) {
      case "s":
        // journal format 3: tasks started together are one record, numbered from s; format 4: k instances in a row that each started them
        if (Array.isArray(record.n)) {
          const instance = typeof record.i === "number" ? record.i : 0;
          const instances = typeof record.k === "number" ? record.k : 1;
          for (let k = 0, next = seq!; k < instances; k++) for (let i = 0; i < record.n.length; i++) this.started(next++, String(record.n[i]), 1, at, instance + k);
        } else this.started(seq!, String(record.n), typeof record.a === "number" ? record.a : 1, at, typeof record.i === "number" ? record.i : 0);
        return;
      case "d":
        // format 3: tasks s to `to` returned in a row, changing nothing
        if (typeof record.to === "number") for (let done = seq!; done <= record.to; done++) this.done(done, record, at);
        else this.done(seq!, record, at);
        return;
      case "f":
        return this.failed(seq!, record, at);
      case "tm":
        this.lastInput = -1;
        return void this.push("timer", at, undefined, undefined, { value: `arm ${String(record.a)}` });
      case "dl":
        this.lastInput = -1;
        return void this.push("message", at, String(record.n), undefined, { value: record.e as EncodedValue });
      case "em":
        // format 4: message events that started instances one after the other, numbered from i
        if (Array.isArray(record.e)) for (let k = 0; k < record.e.length; k++) this.instanceStarted(record, at, record.e[k] as EncodedValue, typeof record.i === "number" ? record.i + k : undefined);
        else this.instanceStarted(record, at, record.e as EncodedValue | undefined, typeof record.i === "number" ? record.i : undefined);
        return;
      case "ie":
        if (typeof record.i !== "number") return;
        // format 3: instances i to `to` ended in a row
        for (let i = record.i, last = typeof record.to === "number" ? record.to : i; i <= last; i++) {
          this.instances.ended(i, at, this.push("instance-ended", at, undefined, undefined, undefined, i));
          this.data.instanceEnded(i);
        }
        return;
      case "log":
        if (seq !== undefined && this.hasExecution(seq)) this.exExtra(seq).log = String(record.file);
        return;
      case "caught":
        return this.caught(record, seq, at);
      case "lane":
        return void this.push("lane", at, undefined, undefined, { value: `${String(record.name)} ${record.open ? "opened" : "closed"}` });
      case "resume":
        this.end = undefined;
        this.lastInput = -1;
        return void this.push("resumed", at, undefined, undefined, record.retry ? { value: "retrying its failed task" } : undefined);
      case "end":
        return this.ended(record, at);
      case "snap":
        this.snapshot = { done: Number(record.done) || 0, failed: Number(record.failed) || 0, caught: Number(record.caught) || 0 };
        this.data.forget(record.r as EncodedValue | undefined);
        return void this.push("snapshot", this.startedAt, undefined, undefined);
      default:
      // pid, pid-end: process groups, for cleaning up after a crash
    }
  }

  // ---- reading ------------------------------------------------------------

  /** The id of the element the columns number `n`. */
  idAt(n: number): string {
    return this.ids[n];
  }

  entry(i: number): TimelineEntry {
    const extra = this.extras.get(i);
    const element = this.element.get(i);
    const seq = this.seq.get(i);
    return {
      i,
      at: this.at.get(i),
      kind: KINDS[this.kind.get(i)],
      elementId: element < 0 ? undefined : this.ids[element],
      seq: seq < 0 ? undefined : seq,
      instance: this.instance.get(i),
      attempt: extra?.attempt,
      error: extra?.error,
      changes: extra?.changes,
      value: extra?.value,
      failedRun: extra?.failedRun ?? false,
    };
  }

  /**
   * The positions of the entries of message instance `instance`, of
   * `elementId` among them when given, in journal order. Only the entries
   * between its first and its last are looked at.
   */
  instancePositions(instance: number, elementId?: string, only?: (kind: EntryKind) => boolean): number[] {
    const wanted = elementId === undefined ? undefined : (this.idNumbers.get(elementId) ?? -2);
    const found: number[] = [];
    const row = this.instances.row(instance);
    if (row === undefined) return found;
    for (let i = row.first; i <= row.last; i++) {
      if (this.instance.get(i) !== instance) continue;
      if (wanted !== undefined && this.element.get(i) !== wanted) continue;
      if (only !== undefined && !only(KINDS[this.kind.get(i)])) continue;
      found.push(i);
    }
    return found;
  }

  /** The entries about `elementId` (only those of no task with `others`): how many, and the one at `n` of them in journal order. */
  elementPositions(elementId: string, others = false): { length: number; get(n: number): number } {
    const element = this.idNumbers.get(elementId);
    return (element === undefined ? undefined : this.tally.positions(element, others)) ?? { length: 0, get: () => -1 };
  }

  /** How many entries each element has, in the order elements first appear. */
  entriesPerElement(): Map<string, number> {
    const counts = new Map<string, number>();
    this.tally.entryCounts().forEach((n, element) => n > 0 && counts.set(this.ids[element], n));
    return counts;
  }

  /** The timeline positions of the latest failed and caught entries, oldest first. */
  recentFailures(): number[] {
    return this.tally.recentFailures();
  }

  /** The last `limit` task executions of `elementId`, in the order they started, and how many it has. */
  executionsOf(elementId: string, limit = Infinity): { total: number; executions: Execution[] } {
    const wanted = this.idNumbers.get(elementId);
    const found: Execution[] = [];
    if (wanted === undefined) return { total: 0, executions: found };
    for (let i = this.exElement.length - 1; i >= 0 && found.length < limit; i--) if (this.exElement.get(i) === wanted) found.push(this.execution(i + this.seqBase)!);
    return { total: this.tally.executions(wanted), executions: found.reverse() };
  }

  execution(seq: number): Execution | undefined {
    if (!this.hasExecution(seq)) return undefined;
    const i = seq - this.seqBase;
    const extra = this.exExtras.get(seq);
    const ended = this.exEnded.get(i);
    return {
      seq,
      elementId: this.ids[this.exElement.get(i)],
      instance: this.exInstance.get(i),
      attempts: this.exAttempts.get(i),
      startedAt: this.exStarted.get(i),
      endedAt: Number.isNaN(ended) ? undefined : ended,
      outcome: OUTCOMES[this.exOutcome.get(i)],
      error: extra?.error,
      changes: extra?.changes ?? [],
      decision: extra?.decision,
      log: extra?.log,
    };
  }

  /** Per element, how many task executions are done, failed, caught and running (while the run runs), and the failures of elements without a task. */
  counts(state: RunState): Map<string, ElementCounts> {
    const counts = new Map<string, ElementCounts>();
    for (const [element, count] of this.tally.counts(state === "running")) counts.set(this.ids[element], count);
    return counts;
  }

  // ---- records --------------------------------------------------------------

  private started(seq: number, elementId: string, attempt: number, at: number, instance: number): void {
    if (this.seqBase < 0) this.seqBase = seq;
    const i = seq - this.seqBase;
    if (i < 0) return;
    const known = this.hasExecution(seq);
    this.instances.outcome(instance, known ? OUTCOMES[this.exOutcome.get(i)] : undefined, "running");
    const element = this.idOf(elementId);
    this.tally.outcome(element, known ? this.exOutcome.get(i) : -1, OUTCOME.running);
    this.exElement.set(i, element, -1);
    this.exStarted.set(i, at);
    this.exEnded.set(i, Number.NaN, Number.NaN);
    this.exOutcome.set(i, OUTCOME.running);
    this.exAttempts.set(i, known ? this.exAttempts.get(i) + 1 : attempt);
    this.exInstance.set(i, instance);
    if (known) delete this.exExtra(seq).error;
    this.push("started", at, elementId, seq, attempt > 1 ? { attempt } : undefined, instance);
  }

  /* a message started an instance: numbered by the engine, or (a journal from before it did) counted here */
  private instanceStarted(record: RawRecord, at: number, value: EncodedValue | undefined, instance: number | undefined): void {
    const n = instance ?? this.instances.highest + 1;
    const elementId = String(record.n);
    this.lastInput = n;
    const position = this.push("instance", at, elementId, undefined, { value: value as EncodedValue }, n);
    this.instances.started(n, this.idOf(elementId), at, position);
    this.data.instanceStarted(n, value);
  }

  private done(seq: number, record: RawRecord, at: number): void {
    const instance = this.instanceOf(seq);
    this.lastInput = instance;
    const changes = this.data.apply(instance, record.c as Record<string, EncodedValue> | undefined, record.r as string[] | undefined);
    const decision = record.g as EncodedValue | undefined;
    const elementId = this.hasExecution(seq) ? this.ids[this.exElement.get(seq - this.seqBase)] : undefined;
    if (elementId !== undefined) {
      this.instances.outcome(instance, OUTCOMES[this.exOutcome.get(seq - this.seqBase)], "done");
      this.tally.outcome(this.exElement.get(seq - this.seqBase), this.exOutcome.get(seq - this.seqBase), OUTCOME.done);
      this.exEnded.set(seq - this.seqBase, at);
      this.exOutcome.set(seq - this.seqBase, OUTCOME.done);
      if (changes !== undefined || decision !== undefined) Object.assign(this.exExtra(seq), { changes, decision });
    }
    const kind = decision !== undefined ? "decided" : elementId !== undefined && this.elements.get(elementId)?.kind === "userTask" ? "answered" : "completed";
    this.push(kind, at, elementId, seq, changes !== undefined || decision !== undefined ? { changes, value: decision } : undefined, instance);
  }

  private failed(seq: number, record: RawRecord, at: number): void {
    const error = messageOf(record.e);
    const instance = this.instanceOf(seq);
    this.lastInput = instance;
    const elementId = this.hasExecution(seq) ? this.ids[this.exElement.get(seq - this.seqBase)] : undefined;
    if (elementId !== undefined) {
      this.instances.outcome(instance, OUTCOMES[this.exOutcome.get(seq - this.seqBase)], "failed");
      this.tally.outcome(this.exElement.get(seq - this.seqBase), this.exOutcome.get(seq - this.seqBase), OUTCOME.failed);
      this.exEnded.set(seq - this.seqBase, at);
      this.exOutcome.set(seq - this.seqBase, OUTCOME.failed);
      this.exExtra(seq).error = error;
    }
    this.push("failed", at, elementId, seq, { error }, instance);
  }

  /* a task's failure is its "f" record, which this turns into "caught"; another element's caught failure has only this note */
  private caught(record: RawRecord, seq: number | undefined, at: number): void {
    if (seq !== undefined && this.hasExecution(seq) && this.exOutcome.get(seq - this.seqBase) === OUTCOME.failed) {
      this.instances.outcome(this.instanceOf(seq), "failed", "caught");
      this.tally.outcome(this.exElement.get(seq - this.seqBase), OUTCOME.failed, OUTCOME.caught);
      this.exOutcome.set(seq - this.seqBase, OUTCOME.caught);
      for (let i = this.kind.length - 1; i >= 0; i--) {
        if (this.seq.get(i) === seq && this.kind.get(i) === KIND.failed) {
          this.kind.set(i, KIND.caught);
          break;
        }
      }
      return;
    }
    // the note names its instance; journals from before it did: written as the engine moved the last input's tokens on, so in that input's instance (caughtHere counts it there)
    const instance = typeof record.i === "number" ? record.i : Math.max(0, this.lastInput);
    this.instances.caughtHere(instance);
    this.push("caught", at, typeof record.n === "string" ? record.n : undefined, undefined, { error: typeof record.error === "string" ? record.error : undefined }, instance);
  }

  /*
   * The element that failed the run: a task that threw has its "f" record
   * as the run's last input; a gateway, loop or event that failed has only
   * the end's word for it.
   */
  private ended(record: RawRecord, at: number): void {
    const element = record.element as { id?: unknown; error?: unknown; i?: unknown } | undefined;
    const elementId = typeof element?.id === "string" ? element.id : undefined;
    const state = record.state as RunState;
    const error = typeof record.error === "string" ? record.error : undefined;
    this.end = { state, at, error, elementId, data: record.data as EncodedValue | undefined };
    if (state === "failed" && elementId !== undefined) {
      const last = this.lastFailure(elementId);
      if (last !== undefined) (this.extras.get(last) ?? this.extras.set(last, {}).get(last)!).failedRun = true;
      else {
        // a gateway, loop or event: the end names its instance; journals from before it did: it failed as the engine moved the last input's tokens on, in that input's instance
        const instance = typeof element?.i === "number" ? element.i : Math.max(0, this.lastInput);
        this.instances.failedHere(instance);
        this.push("failed", at, elementId, undefined, { error: typeof element?.error === "string" ? element.error : error, failedRun: true }, instance);
      }
    }
    this.push("ended", at, undefined, undefined, { value: state, error });
  }

  /* its last failed entry since the run was last resumed or ended */
  private lastFailure(elementId: string): number | undefined {
    const positions = this.elementPositions(elementId);
    for (let n = positions.length - 1; n >= 0 && positions.get(n) > this.lastTurn; n--) if (this.kind.get(positions.get(n)) === KIND.failed) return positions.get(n);
    return undefined;
  }

  private instanceOf(seq: number): number {
    return this.hasExecution(seq) ? this.exInstance.get(seq - this.seqBase) : 0;
  }

  private hasExecution(seq: number): boolean {
    const i = seq - this.seqBase;
    return this.seqBase >= 0 && i >= 0 && i < this.exElement.length && this.exElement.get(i) >= 0;
  }

  private exExtra(seq: number): ExecutionExtra {
    return this.exExtras.get(seq) ?? this.exExtras.set(seq, {}).get(seq)!;
  }

  private idOf(elementId: string): number {
    let n = this.idNumbers.get(elementId);
    if (n === undefined) {
      n = this.ids.push(elementId) - 1;
      this.idNumbers.set(elementId, n);
    }
    return n;
  }

  private push(kind: EntryKind, at: number, elementId: string | undefined, seq: number | undefined, extra?: EntryExtra, instance = 0): number {
    const i = this.kind.push(KIND[kind]);
    this.at.push(at);
    const element = elementId === undefined ? -1 : this.idOf(elementId);
    this.element.push(element);
    if (element >= 0) {
      this.tally.entry(element, i, seq !== undefined);
      if (kind === "failed" || kind === "caught") this.tally.failure(element, i, kind === "caught", seq !== undefined);
    }
    this.seq.push(seq ?? -1);
    this.instance.push(instance);
    if (extra !== undefined) this.extras.set(i, extra);
    if (instance > 0) this.instances.touched(instance, at, i);
    if (kind === "resumed" || kind === "ended") this.lastTurn = i;
    return i;
  }
}

function messageOf(failure: unknown): string {
  const message = (failure as { message?: unknown } | undefined)?.message;
  return typeof message === "string" ? message : "failed";
}
