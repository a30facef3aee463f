import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { InboxError } from "../inbox/inbox-error.js";
import type { LiveRun, LiveUpdate } from "../live/live-run.js";
import { diagramOf } from "../live/diagram.js";
import { listLogs, type LogEntry } from "../live/logs.js";
import { liveRun, liveRuns } from "../live/registry.js";
import type { MonitorSummary, MonitorUpdate, RunOutcome } from "../monitor/run-monitor.js";
import { LOGS_FOLDER, VIEW_FILE } from "../runs/files.js";
import { findRun, RunNotFoundError } from "../runs/find.js";
import { listRuns, loadSummary, type ListedRun } from "../runs/list.js";
import { stateOf } from "../runs/state.js";
import type { RunSummary } from "../runs/summary.js";

/** Where the server finds runs besides its own process: the run folders of one project. */
export interface RunPlaces {
  runsFolder: string;
  project: string;
}

/** A run as the runs list shows it. */
export interface RunListing {
  id: string;
  processName: string;
  source: string;
  processFile: string | undefined;
  state: RunOutcome;
  startedAt: number;
  durationMs: number | undefined;
  completed: number;
  failed: number;
  /** failures an error boundary event caught */
  caught: number;
  running: number;
  /** this process runs it (its counts are live) */
  live: boolean;
}

/** A run the API can show: one of this process (live), or one whose folder says how it went. */
export interface ViewedRun {
  info: RunSummary;
  live: LiveRun | undefined;
  folder: string;
  state(): Promise<LiveUpdate>;
  diagram(): Promise<string>;
  logs(): Promise<LogEntry[]>;
}

/*
 * The page polls the list every second; the runs folder is listed at most
 * this often. Each run costs one small file (its run.json, src/runs), never
 * its journal.
 */
const FOLDER_LIST_MS = 3000;
/* the runs list shows at most this many runs of other processes, newest first */
const LIST_LIMIT = 200;
type PastRun = ListedRun & { view: MonitorUpdate | undefined };
let folderList: { at: number; places: RunPlaces; runs: Promise<PastRun[]> } | undefined;

function pastRuns(places: RunPlaces): Promise<PastRun[]> {
  const now = Date.now();
  if (folderList === undefined || folderList.places !== places || now - folderList.at > FOLDER_LIST_MS) {
    folderList = { at: now, places, runs: listPastRuns(places) };
  }
  return folderList.runs;
}

/* the project's runs with, for those that ended with a live view, their final counts per element */
async function listPastRuns(places: RunPlaces): Promise<PastRun[]> {
  const { runs } = await listRuns(places.runsFolder, places.project);
  const ours = runs.filter((run) => run.summary.project === places.project).slice(0, LIST_LIMIT);
  return Promise.all(ours.map(async (run) => ({ ...run, view: await readView(run.folder) })));
}

export async function runsList(places: RunPlaces): Promise<RunListing[]> {
  const here = liveRuns();
  const listed: RunListing[] = here.map((run) => listing(run.info, run.monitor.summary(), true));
  const seen = new Set(here.map((run) => run.id));
  for (const run of await pastRuns(places)) {
    if (!seen.has(run.id)) listed.push(listing(run.summary, run.view?.summary ?? pastSummary(run.summary), false));
  }
  return listed.sort((a, b) => b.startedAt - a.startedAt);
}

/** The run with this id: this process's own, or one in the project's runs folder. */
export async function viewRun(id: string, places: RunPlaces): Promise<ViewedRun> {
  const live = liveRun(id);
  if (live !== undefined) {
    return { info: live.info, live, folder: live.runFolder, state: async () => live.snapshot(), diagram: () => live.diagramXml(), logs: () => live.logs() };
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
    state: async () => pastState(info, await readView(folder)),
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

function pastState(info: RunSummary, view: MonitorUpdate | undefined): LiveUpdate {
  if (view !== undefined) return { ...view, forms: [] };
  const summary = pastSummary(info);
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

function listing(info: RunSummary, summary: MonitorSummary, live: boolean): RunListing {
  return {
    id: info.id,
    processName: info.processName,
    source: info.source,
    processFile: info.processFile,
    state: summary.state,
    startedAt: summary.startedAt,
    durationMs: summary.durationMs,
    completed: summary.completed ?? 0,
    failed: summary.failed ?? 0,
    caught: summary.caught ?? 0,
    running: summary.running ?? 0,
    live,
  };
}
