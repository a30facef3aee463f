import type { RunState } from "../journal/records.js";
import { decodeValue } from "../journal/values.js";
import type { Change, HeldValue } from "./data-trail.js";
import type { Execution, ExecutionOutcome, JournalView, TimelineEntry } from "./journal-view.js";
import { shownValue } from "./shown-value.js";

/*
 * What the run page gets from a JournalView: entries and executions as
 * plain JSON, their values decoded and cut to size (shown-value.ts) only
 * for the page asked for. The API masks secrets in all of it on the way out.
 */

/** The timeline shows at most this many entries per request; the page asks for more. */
export const TIMELINE_PAGE = 500;

export interface ShownChange {
  key: string;
  /** absent: the key was not set before (or, after a snapshot, not known) */
  before?: unknown;
  after?: unknown;
  removed: boolean;
}

export interface ShownEntry {
  i: number;
  at: number;
  kind: TimelineEntry["kind"];
  elementId: string | undefined;
  name: string | undefined;
  seq: number | undefined;
  /** the message instance it is about (0: none) */
  instance: number;
  text: string;
  error: string | undefined;
  changes: ShownChange[] | undefined;
  value: unknown;
  failedRun: boolean;
}

export interface TimelinePage {
  total: number;
  offset: number;
  entries: ShownEntry[];
  /** every element with entries, for the filter, in the order they first appear */
  elements: Array<{ id: string; name: string; entries: number }>;
  snapshot: JournalView["snapshot"];
}

/** Entries [offset, offset + limit) of the timeline, of one element when `elementId` is given, of one message instance when `instance` is. */
export function timelinePage(view: JournalView, options: { elementId?: string; instance?: number; offset?: number; limit?: number }): TimelinePage {
  const offset = Math.max(0, options.offset ?? 0);
  const limit = Math.min(Math.max(1, options.limit ?? TIMELINE_PAGE), TIMELINE_PAGE);
  // the whole timeline needs no list of positions: they are its indexes; an element's are kept as the journal is read
  const positions =
    options.instance !== undefined ? view.instancePositions(options.instance, options.elementId) : options.elementId !== undefined ? view.elementPositions(options.elementId) : undefined;
  const total = positions?.length ?? view.size;
  const page: number[] = [];
  for (let n = offset; n < Math.min(total, offset + limit); n++) page.push(positions === undefined ? n : Array.isArray(positions) ? positions[n] : positions.get(n));
  return {
    total,
    offset,
    entries: page.map((i) => shownEntry(view, view.entry(i))),
    elements: [...view.entriesPerElement()].map(([id, entries]) => ({ id, name: view.elements.get(id)?.name ?? id, entries })),
    snapshot: view.snapshot,
  };
}

export interface ShownExecution {
  seq: number;
  instance: number;
  attempts: number;
  startedAt: number;
  endedAt: number | undefined;
  outcome: ExecutionOutcome;
  error: string | undefined;
  changes: ShownChange[];
  decision: unknown;
  log: string | undefined;
}

/** An element's task executions (the newest `limit`) and the other entries about it (messages, failures without a task). */
export function elementPage(view: JournalView, elementId: string, state: RunState, limit = TIMELINE_PAGE) {
  const { total, executions } = view.executionsOf(elementId, limit);
  const others = view.elementPositions(elementId, true);
  const shownOthers: ShownEntry[] = [];
  for (let n = Math.max(0, others.length - limit); n < others.length; n++) shownOthers.push(shownEntry(view, view.entry(others.get(n))));
  const element = view.elements.get(elementId);
  return {
    element: { id: elementId, name: element?.name ?? elementId, kind: element?.kind },
    total,
    executions: executions.map((execution) => shownExecution(execution, state)),
    otherTotal: others.length,
    others: shownOthers,
  };
}

function shownExecution(execution: Execution, state: RunState): ShownExecution {
  return {
    seq: execution.seq,
    instance: execution.instance,
    attempts: execution.attempts,
    startedAt: execution.startedAt,
    endedAt: execution.endedAt,
    outcome: execution.outcome === "running" && state !== "running" ? (state === "cancelled" ? "cancelled" : "interrupted") : execution.outcome,
    error: execution.error,
    changes: execution.changes.map(shownChange),
    decision: execution.decision === undefined ? undefined : held(execution.decision),
    log: execution.log,
  };
}

function shownEntry(view: JournalView, entry: TimelineEntry): ShownEntry {
  return {
    i: entry.i,
    at: entry.at,
    kind: entry.kind,
    elementId: entry.elementId,
    name: entry.elementId === undefined ? undefined : (view.elements.get(entry.elementId)?.name ?? entry.elementId),
    seq: entry.seq,
    instance: entry.instance,
    text: textOf(view, entry),
    error: entry.error,
    changes: entry.changes?.map(shownChange),
    value: typeof entry.value === "string" || entry.value === undefined ? entry.value : held(entry.value),
    failedRun: entry.failedRun,
  };
}

function shownChange(change: Change): ShownChange {
  const shown: ShownChange = { key: change.key, removed: change.removed };
  if (change.before !== undefined) shown.before = held(change.before);
  if (change.after !== undefined) shown.after = held(change.after);
  return shown;
}

export function held(value: HeldValue): unknown {
  if ("v" in value) return shownValue(value.v);
  try {
    return shownValue(decodeValue(value));
  } catch {
    return "(a value this adhesive cannot decode)";
  }
}

function textOf(view: JournalView, entry: TimelineEntry): string {
  // what a task set and removed: "set a, b; removed c"
  const changed = (): string => {
    const set = (entry.changes ?? []).filter((c) => !c.removed).map((c) => c.key);
    const removed = (entry.changes ?? []).filter((c) => c.removed).map((c) => c.key);
    return [set.length > 0 ? `set ${set.join(", ")}` : "", removed.length > 0 ? `removed ${removed.join(", ")}` : ""].filter(Boolean).join("; ");
  };
  const keys = (): string => (changed() === "" ? "" : `: ${changed()}`);
  switch (entry.kind) {
    case "started":
      return entry.attempt !== undefined && entry.attempt > 1 ? `started (attempt ${entry.attempt})` : "started";
    case "completed":
      return `completed${keys()}`;
    case "answered":
      return `answered${keys()}`;
    case "decided": {
      const decision = entry.value === undefined || typeof entry.value === "string" ? entry.value : held(entry.value);
      return `decided: ${typeof decision === "string" ? decision : JSON.stringify(decision)}${changed() === "" ? "" : `; ${changed()}`}`;
    }
    case "failed":
      return entry.failedRun ? "failed: the run failed here" : "failed";
    case "caught":
      return "caught by an error boundary event";
    case "timer":
      return `a timer fired (${String(entry.value)})`;
    case "message":
      return "a message was delivered";
    case "instance":
      return `a message started instance ${entry.instance}`;
    case "instance-ended":
      return `instance ${entry.instance} ended`;
    case "resumed":
      return entry.value === undefined ? "the run was resumed" : `the run was resumed, ${String(entry.value)}`;
    case "lane":
      return `lane ${String(entry.value)}`;
    case "ended":
      return `the run ended: ${String(entry.value)}`;
    case "snapshot": {
      const s = view.snapshot;
      return `the journal starts from a snapshot: ${s ? s.done + s.failed + s.caught : 0} earlier task executions are counted, not listed`;
    }
  }
}
