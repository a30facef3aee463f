import type { NodeDefinition, NodeKind, ProcessDefinition } from "../model/definition.js";
import type { RunState } from "../journal/records.js";
import { decodeValue, type EncodedValue } from "../journal/values.js";
import type { RawRecord } from "./journal-follower.js";

/*
 * A run's journal as the console shows it: a timeline of what happened
 * (tasks started and ended, decisions, answers, timers, messages, resumes,
 * the end) and, per task execution, what it changed in the data. Built one
 * record at a time as the journal grows (journal-follower.ts), so a page
 * polling a running run costs the new records only. Values stay encoded as
 * the journal has them until a page asks for them (entries.ts): a run of
 * 100k message events is not decoded to be counted.
 */

export type EntryKind = "started" | "completed" | "failed" | "caught" | "answered" | "decided" | "timer" | "message" | "instance" | "resumed" | "lane" | "ended" | "snapshot";

/** A data value as held here: encoded as in the journal, or (initial data written whole by v8) decoded already. */
export type HeldValue = EncodedValue | { v: unknown };

/** One key a task set or removed: what it was before (as far as the journal's changes tell) and after. */
export interface Change {
  key: string;
  /** undefined: the key was not set before (or, after a snapshot, not known) */
  before: HeldValue | undefined;
  after: HeldValue | undefined;
  removed: boolean;
}

export interface TimelineEntry {
  /** position in the timeline: journal order */
  i: number;
  /** epoch ms */
  at: number;
  kind: EntryKind;
  elementId: string | undefined;
  seq: number | undefined;
  attempt: number | undefined;
  error: string | undefined;
  changes: Change[] | undefined;
  /** a message's event, a gateway's decision, a lane's name, how the run ended */
  value: HeldValue | string | undefined;
  /** this failure failed the run */
  failedRun: boolean;
}

export type ExecutionOutcome = "running" | "done" | "failed" | "caught" | "interrupted" | "cancelled";

/** One task execution (a task, user task, gateway or loop with a function): its last attempt. */
export interface Execution {
  seq: number;
  elementId: string;
  attempts: number;
  startedAt: number;
  endedAt: number | undefined;
  outcome: Exclude<ExecutionOutcome, "interrupted" | "cancelled">;
  error: string | undefined;
  changes: Change[];
  decision: HeldValue | undefined;
  /** its log file under the run's logs folder */
  log: string | undefined;
}

export interface ElementInfo {
  name: string;
  kind: NodeKind;
}

/** The journal of one run, read so far. */
export class JournalView {
  readonly runId: string;
  readonly startedAt: number;
  readonly elements: ReadonlyMap<string, ElementInfo>;
  readonly entries: TimelineEntry[] = [];
  readonly executions = new Map<number, Execution>();
  /** how the run ended, as the journal says (undefined while it runs, or after a resume) */
  end: { state: RunState; at: number; error: string | undefined; elementId: string | undefined } | undefined;
  /** the journal starts from a snapshot: task executions before it are counted there, not listed */
  snapshot: { done: number; failed: number; caught: number } | undefined;
  /* the latest value of each data key, as the initial data and the tasks' changes give it; after a snapshot, only what changed since */
  private readonly data = new Map<string, HeldValue>();

  constructor(header: RawRecord) {
    this.runId = String(header.run);
    this.startedAt = Number(header.at);
    this.elements = elementsOf(header.definition as ProcessDefinition | undefined);
    this.holdInitial(header.initial as EncodedValue | undefined);
  }

  /** The next record of the journal, after its header. */
  add(record: RawRecord): void {
    const at = this.startedAt + (typeof record.at === "number" ? record.at : 0);
    const seq = typeof record.s === "number" ? record.s : undefined;
    switch (record.t) {
      case "s":
        return this.started(seq!, String(record.n), typeof record.a === "number" ? record.a : 1, at);
      case "d":
        return this.done(seq!, record, at);
      case "f":
        return this.failed(seq!, record, at);
      case "tm":
        return void this.push({ kind: "timer", at, value: `arm ${String(record.a)}` });
      case "dl":
        return void this.push({ kind: "message", at, elementId: String(record.n), value: record.e as EncodedValue });
      case "em":
        return void this.push({ kind: "instance", at, elementId: String(record.n), value: record.e as EncodedValue });
      case "log": {
        const execution = seq === undefined ? undefined : this.executions.get(seq);
        if (execution !== undefined) execution.log = String(record.file);
        return;
      }
      case "caught":
        return this.caught(record, seq, at);
      case "lane":
        return void this.push({ kind: "lane", at, value: `${String(record.name)} ${record.open ? "opened" : "closed"}` });
      case "resume":
        this.end = undefined;
        return void this.push({ kind: "resumed", at, value: record.retry ? "retrying its failed task" : undefined });
      case "end":
        return this.ended(record, at);
      case "snap":
        this.snapshot = { done: Number(record.done) || 0, failed: Number(record.failed) || 0, caught: Number(record.caught) || 0 };
        this.data.clear();
        return void this.push({ kind: "snapshot", at: this.startedAt });
      default:
      // pid, pid-end: process groups, for cleaning up after a crash
    }
  }

  /** Per element, how many task executions are done, failed, caught and running (for a run that left no final counts). */
  counts(state: RunState): Map<string, { completed: number; failed: number; caught: number; running: number }> {
    const counts = new Map<string, { completed: number; failed: number; caught: number; running: number }>();
    const of = (id: string) => counts.get(id) ?? counts.set(id, { completed: 0, failed: 0, caught: 0, running: 0 }).get(id)!;
    for (const execution of this.executions.values()) {
      const count = of(execution.elementId);
      if (execution.outcome === "done") count.completed++;
      else if (execution.outcome === "failed") count.failed++;
      else if (execution.outcome === "caught") count.caught++;
      else if (state === "running") count.running++;
    }
    for (const entry of this.entries) {
      if (entry.elementId === undefined || entry.seq !== undefined) continue;
      if (entry.kind === "caught") of(entry.elementId).caught++;
      else if (entry.kind === "failed") of(entry.elementId).failed++;
    }
    return counts;
  }

  private started(seq: number, elementId: string, attempt: number, at: number): void {
    const known = this.executions.get(seq);
    if (known !== undefined) Object.assign(known, { attempts: known.attempts + 1, startedAt: at, endedAt: undefined, outcome: "running", error: undefined });
    else this.executions.set(seq, { seq, elementId, attempts: attempt, startedAt: at, endedAt: undefined, outcome: "running", error: undefined, changes: [], decision: undefined, log: undefined });
    this.push({ kind: "started", at, elementId, seq, attempt });
  }

  private done(seq: number, record: RawRecord, at: number): void {
    const execution = this.executions.get(seq);
    const changes = this.changes(record.c as Record<string, EncodedValue> | undefined, record.r as string[] | undefined);
    const decision = record.g as EncodedValue | undefined;
    const elementId = execution?.elementId;
    if (execution !== undefined) Object.assign(execution, { endedAt: at, outcome: "done", changes, decision });
    const kind = decision !== undefined ? "decided" : elementId !== undefined && this.elements.get(elementId)?.kind === "userTask" ? "answered" : "completed";
    this.push({ kind, at, elementId, seq, changes, value: decision });
  }

  private failed(seq: number, record: RawRecord, at: number): void {
    const execution = this.executions.get(seq);
    const error = messageOf(record.e);
    if (execution !== undefined) Object.assign(execution, { endedAt: at, outcome: "failed", error });
    this.push({ kind: "failed", at, elementId: execution?.elementId, seq, error });
  }

  /* a task's failure is its "f" record, which this turns into "caught"; another element's caught failure has only this note */
  private caught(record: RawRecord, seq: number | undefined, at: number): void {
    const execution = seq === undefined ? undefined : this.executions.get(seq);
    if (execution?.outcome === "failed") {
      execution.outcome = "caught";
      for (let i = this.entries.length - 1; i >= 0; i--) {
        const entry = this.entries[i];
        if (entry.seq === seq && entry.kind === "failed") {
          entry.kind = "caught";
          break;
        }
      }
      return;
    }
    this.push({ kind: "caught", at, elementId: typeof record.n === "string" ? record.n : undefined, error: typeof record.error === "string" ? record.error : undefined });
  }

  /*
   * The element that failed the run: a task that threw has its "f" record
   * as the run's last input; a gateway, loop or event that failed has only
   * the end's word for it.
   */
  private ended(record: RawRecord, at: number): void {
    const element = record.element as { id?: unknown; error?: unknown } | undefined;
    const elementId = typeof element?.id === "string" ? element.id : undefined;
    const state = record.state as RunState;
    const error = typeof record.error === "string" ? record.error : undefined;
    this.end = { state, at, error, elementId };
    if (state === "failed" && elementId !== undefined) {
      const last = this.lastFailure(elementId);
      if (last !== undefined) last.failedRun = true;
      else this.push({ kind: "failed", at, elementId, error: typeof element?.error === "string" ? element.error : error, failedRun: true });
    }
    this.push({ kind: "ended", at, value: state, error });
  }

  private lastFailure(elementId: string): TimelineEntry | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i];
      if (entry.kind === "ended" || entry.kind === "resumed") return undefined;
      if (entry.kind === "failed" && entry.elementId === elementId) return entry;
    }
    return undefined;
  }

  private changes(set: Record<string, EncodedValue> | undefined, removed: string[] | undefined): Change[] {
    const changes: Change[] = [];
    for (const key of Object.keys(set ?? {})) {
      changes.push({ key, before: this.data.get(key), after: set![key], removed: false });
      this.data.set(key, set![key]);
    }
    for (const key of removed ?? []) {
      changes.push({ key, before: this.data.get(key), after: undefined, removed: true });
      this.data.delete(key);
    }
    return changes;
  }

  private holdInitial(initial: EncodedValue | undefined): void {
    if (initial === undefined) return;
    // one value per run: decoded here when v8 wrote it whole, each key then held decoded
    let data: unknown;
    try {
      data = "j" in initial ? initial.j : decodeValue(initial);
    } catch {
      return;
    }
    if (data === null || typeof data !== "object" || Array.isArray(data)) return;
    for (const [key, value] of Object.entries(data)) this.data.set(key, "j" in initial ? { j: value } : { v: value });
  }

  private push(entry: Partial<TimelineEntry> & Pick<TimelineEntry, "kind" | "at">): TimelineEntry {
    const full: TimelineEntry = { i: this.entries.length, elementId: undefined, seq: undefined, attempt: undefined, error: undefined, changes: undefined, value: undefined, failedRun: false, ...entry };
    this.entries.push(full);
    return full;
  }
}

function messageOf(failure: unknown): string {
  const message = (failure as { message?: unknown } | undefined)?.message;
  return typeof message === "string" ? message : "failed";
}

/** Element names and kinds by id, sub-processes and pools included. */
function elementsOf(definition: ProcessDefinition | undefined): Map<string, ElementInfo> {
  const elements = new Map<string, ElementInfo>();
  const visit = (nodes: readonly NodeDefinition[]): void => {
    for (const node of nodes) {
      elements.set(node.id, { name: node.name || node.id, kind: node.kind });
      if (node.children) visit(node.children.nodes);
    }
  };
  if (definition?.root) visit(definition.root.nodes);
  return elements;
}
