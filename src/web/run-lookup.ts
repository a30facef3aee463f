import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { InboxError } from "../inbox/inbox-error.js";
import type { LiveMessage, LiveRun, LiveUpdate } from "../live/live-run.js";
import type { JournalView } from "../console/journal-view.js";
import type { Store } from "../store/connection.js";
import type { StoreAccess } from "./store-run.js";
import { journalState } from "../console/journal-state.js";
import { journalViewOf, type Reading } from "../console/journal-views.js";
import { diagramOf } from "../live/diagram.js";
import { listLogs, type LogEntry } from "../live/logs.js";
import { liveRun } from "../live/registry.js";
import type { MonitorSummary, MonitorUpdate } from "../monitor/run-monitor.js";
import { LOGS_FOLDER, VIEW_FILE } from "../runs/files.js";
import { findRun, RunNotFoundError } from "../runs/find.js";
import { loadSummary } from "../runs/list.js";
import { stateOf } from "../runs/state.js";
import type { RunSummary } from "../runs/summary.js";
import type { RunState } from "../journal/records.js";

/** Where the server finds runs besides its own process: the run folders of one project, and the runs of a store of every host. */
export interface RunPlaces {
  runsFolder: string;
  project: string;
  store?: Store;
}

/** A run the API can show: one of this process (live), or one whose folder says how it went. */
export interface ViewedRun {
  info: RunSummary;
  live: LiveRun | undefined;
  folder: string;
  /** how it stands: running, done, failed, cancelled or interrupted */
  runState(): RunState;
  /** its counts; `reading`: those read so far of a long journal the console is reading the first time */
  state(): Promise<LiveUpdate & { reading?: Reading }>;
  diagram(): Promise<string>;
  logs(): Promise<LogEntry[]>;
  /** its journal as read so far (from its file, or its stream in the store), brought up to date */
  journal(options?: { partial?: boolean }): Promise<{ view: JournalView | undefined; problem: string | undefined; reading?: Reading }>;
  /** a run the store holds: its registry facts, and the inbox the page's requests go through */
  store?: StoreAccess;
  /** its updates as they come, for a run not of this process that can be followed (a store run's stream) */
  subscribe?(send: (message: LiveMessage) => void): () => void;
}

/** The run with this id: this process's own, one of the store (of any host), or one in the project's runs folder. */
export async function viewRun(id: string, places: RunPlaces): Promise<ViewedRun> {
  const live = liveRun(id);
  // the store's module (and ioredis) load only when the console has a store
  const stored = places.store === undefined ? undefined : await import("./store-run.js");
  if (live !== undefined) {
    const folder = live.runFolder;
    const run: ViewedRun = { info: live.info, live, folder, runState: () => live.monitor.outcome, state: async () => live.snapshot(), diagram: () => live.diagramXml(), logs: () => live.logs(), journal: (options) => journalViewOf(folder, options) };
    // a run of this process that the store holds: its journal is the stream, and its incidents are the registry's
    const store = stored === undefined ? undefined : await stored.viewStoreRun(places.store!, id, places);
    if (store === undefined) return run;
    return { ...run, store: store.store, journal: store.journal, state: async () => ({ ...live.snapshot(), store: await store.store!.facts() }) };
  }
  if (stored !== undefined) {
    const run = await stored.viewStoreRun(places.store!, id, places);
    if (run !== undefined) return run;
  }
  const notHere = () => new InboxError("ADHESIVE_NO_SUCH_RUN", `no run "${id}" in this project`, 404);
  let folder: string;
  try {
    ({ folder } = await findRun(places.runsFolder, id));
  } catch (error) {
    if (error instanceof RunNotFoundError) throw notHere();
    throw error;
  }
  const info = await loadSummary(folder, places.project);
  if (info === undefined || info.id !== id || info.project !== places.project) throw notHere();
  return {
    info,
    live: undefined,
    folder,
    runState: () => stateOf(info),
    state: async () => pastState(info, await readView(folder), folder),
    diagram: () => diagramOf(folder),
    logs: () => listLogs(join(folder, LOGS_FOLDER), undefined),
    journal: (options) => journalViewOf(folder, options),
  };
}

async function readView(folder: string): Promise<MonitorUpdate | undefined> {
  try {
    return JSON.parse(await readFile(join(folder, VIEW_FILE), "utf8")) as MonitorUpdate;
  } catch {
    return undefined;
  }
}

/*
 * A run of another process: the final counts its live view saved, when
 * it ended as it stands now, else what its journal says per element (task
 * executions and failures; no flows, which the journal does not record).
 */
async function pastState(info: RunSummary, view: MonitorUpdate | undefined, folder: string): Promise<LiveUpdate & { reading?: Reading }> {
  // a run resumed or retried since its view was saved is told by its journal until it ends again
  if (view !== undefined && view.summary.state === stateOf(info)) return { ...view, forms: [] };
  const summary = pastSummary(info);
  // the counts read so far of a long journal read the first time, and how far the read is: the page asks again until it is done
  const { view: journal, reading } = await journalViewOf(folder, { partial: true }).catch(() => ({ view: undefined, reading: undefined }));
  if (journal !== undefined) return { ...journalState(journal, summary), forms: [], reading };
  const error = summary.state === "running" ? `running in process ${info.pid}: its counts are shown by the live view of that process` : (info.error ?? "the run ended without writing its final counts");
  return { summary: { ...summary, error }, elements: {}, flows: {}, failures: [], forms: [] };
}

/* what its summary (run.json) says: the counts of tasks, not of every element (those are in view.json, once it ended) */
function pastSummary(info: RunSummary): MonitorSummary {
  const state = stateOf(info);
  const ended = info.endedAt ?? (state === "running" ? undefined : info.lastActivity);
  return {
    state,
    startedAt: info.startedAt,
    endedAt: ended,
    durationMs: (ended ?? Date.now()) - info.startedAt,
    tokens: 0,
    running: state === "running" ? info.inFlight : 0,
    waiting: 0,
    completed: info.done,
    failed: info.failed,
    caught: info.caught,
    events: 0,
    eventsPerSecond: undefined,
    error: info.error,
  };
}
