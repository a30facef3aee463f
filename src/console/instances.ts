import type { RunState } from "../journal/records.js";
import { rawValue, type HeldValue } from "./data-trail.js";
import { held } from "./entries.js";
import { INSTANCE_STATES, type InstanceState } from "./instance-table.js";
import type { JournalView } from "./journal-view.js";

/*
 * The message instances of a run as the run page lists them (a page at a
 * time, as the timeline) and one instance as the page shows it: its path
 * on the diagram (the elements its tasks ran at) and its data. The API
 * masks secrets in all of it on the way out.
 */

/** The list shows at most this many instances per request; the page asks for more. */
export const INSTANCES_PAGE = 200;
/* the event as the list shows it: its JSON cut to this many characters */
const KEY_DATA_CHARS = 120;

export interface ShownInstance {
  number: number;
  /** the message start event that started it */
  elementId: string;
  name: string;
  state: InstanceState;
  startedAt: number;
  endedAt: number | undefined;
  /** to its end; else to its last entry, or to now while it runs */
  durationMs: number;
  tasks: number;
  failed: number;
  caught: number;
  /** its event, as short JSON text */
  event: string;
}

export interface InstancesPage {
  /** how many match the state asked for */
  total: number;
  offset: number;
  instances: ShownInstance[];
  /** over all its instances, for the filter: how many are in each state */
  states: Partial<Record<InstanceState, number>>;
}

/** Instances [offset, offset + limit) of the run, oldest first, of one state when `state` is given. */
export function instancesPage(view: JournalView, run: RunState, options: { state?: string; offset?: number; limit?: number }, now = Date.now()): InstancesPage {
  const offset = Math.max(0, options.offset ?? 0);
  const limit = Math.min(Math.max(1, options.limit ?? INSTANCES_PAGE), INSTANCES_PAGE);
  const wanted = INSTANCE_STATES.find((state) => state === options.state);
  const table = view.instances;
  // the counts per state are kept as the journal is read: the page alone is looked for
  const states = table.states(run);
  const page: number[] = [];
  if (wanted === undefined) {
    for (let k = offset; k < offset + limit; k++) {
      const n = table.numberAt(k);
      if (n === undefined) break;
      page.push(n);
    }
  } else {
    let seen = 0;
    for (const n of table.numbers()) {
      if (page.length === limit) break;
      if (table.state(n, run) === wanted && seen++ >= offset) page.push(n);
    }
  }
  return { total: wanted === undefined ? table.size : (states[wanted] ?? 0), offset, instances: page.map((n) => shownInstance(view, n, run, now)), states };
}

/** One instance: its row, its path (the elements its tasks ran at, with how many times) and whether its journal holds all of it. */
export function instanceDetail(view: JournalView, n: number, run: RunState, now = Date.now()) {
  if (!view.instances.has(n)) return undefined;
  const path = new Map<string, number>();
  const row = view.instances.row(n)!;
  path.set(view.idAt(row.element), 1);
  for (const i of view.instancePositions(n, undefined, (kind) => kind === "started")) {
    const id = view.entry(i).elementId!;
    path.set(id, (path.get(id) ?? 0) + 1);
  }
  return { instance: shownInstance(view, n, run, now), path: [...path].map(([elementId, times]) => ({ elementId, times })) };
}

/**
 * An instance's data as its journal gives it: the initial data, its event
 * (and a plain object event's keys, as the engine sets them), then each
 * change its tasks made, in journal order. Parallel paths of one instance
 * hold data of their own, which the journal does not tell apart: here the
 * last change of a key on any of them wins.
 */
export function instanceData(view: JournalView, n: number): Map<string, HeldValue> | undefined {
  const row = view.instances.row(n);
  if (row === undefined) return undefined;
  const data = new Map(view.data.initial);
  const event = view.entry(row.first).value;
  if (event !== undefined && typeof event !== "string") {
    const decoded = rawValue(event);
    if (decoded !== null && typeof decoded === "object" && Object.getPrototypeOf(decoded) === Object.prototype) {
      for (const [key, value] of Object.entries(decoded)) data.set(key, { v: value });
    }
    data.set("event", event);
  }
  for (const i of view.instancePositions(n, undefined, (kind) => kind === "completed" || kind === "answered" || kind === "decided")) {
    for (const change of view.entry(i).changes ?? []) {
      if (change.removed) data.delete(change.key);
      else if (change.after !== undefined) data.set(change.key, change.after);
    }
  }
  return data;
}

function shownInstance(view: JournalView, n: number, run: RunState, now: number): ShownInstance {
  const row = view.instances.row(n)!;
  const state = view.instances.state(n, run);
  const elementId = view.idAt(row.element);
  const until = row.endedAt ?? (state === "running" || state === "waiting" ? now : row.lastAt);
  const event = view.entry(row.first).value;
  return {
    number: n,
    elementId,
    name: view.elements.get(elementId)?.name ?? elementId,
    state,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    durationMs: Math.max(0, until - row.startedAt),
    tasks: row.tasks,
    failed: row.failed,
    caught: row.caught,
    event: event === undefined || typeof event === "string" ? "" : keyData(held(event)),
  };
}

/* the event on one line, cut: enough to tell one instance from another (an object's keys and values, "name: ana, email: ana@example.org") */
function keyData(value: unknown): string {
  const item = (v: unknown) => (typeof v === "string" ? v : (JSON.stringify(v) ?? String(v)));
  const text =
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? Object.entries(value)
          .map(([key, v]) => `${key}: ${item(v)}`)
          .join(", ")
      : item(value);
  return text.length > KEY_DATA_CHARS ? `${text.slice(0, KEY_DATA_CHARS - 1)}…` : text;
}
