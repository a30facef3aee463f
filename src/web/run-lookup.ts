import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { InboxError } from "../inbox/inbox-error.js";
import type { LiveRun, LiveUpdate } from "../live/live-run.js";
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

/** Where the server finds runs besides its own process: the run folders of one project. */
export interface RunPlaces {
  runsFolder: string;
  project: string;
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
}

/** The run with this id: this process's own, or one in the project's runs folder. */
export async function viewRun(id: string, places: RunPlaces): Promise<ViewedRun> {
  const live = liveRun(id);
  if (live !== undefined) {
    return { info: live.info, live, folder: live.runFolder, runState: () => live.monitor.outcome, state: async () => live.snapshot(), diagram: () => live.diagramXml(), logs: () => live.logs() };
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
