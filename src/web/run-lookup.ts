import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isAlive } from "../journal/process-identity.js";
import { parseJournal } from "../journal/reader.js";
import { JOURNAL_FILE } from "../journal/records.js";
import { stateOf } from "../journal/run-summary.js";
import { InboxError } from "../inbox/inbox-error.js";
import type { LiveRun, LiveUpdate } from "../live/live-run.js";
import { diagramOf } from "../live/diagram.js";
import { listLogs, type LogEntry } from "../live/logs.js";
import { liveRun, liveRuns } from "../live/registry.js";
import { listRunFolders, readRunInfo, readRunView, type RunInfo, type RunListing } from "../live/run-files.js";
import type { MonitorUpdate, RunOutcome } from "../monitor/run-monitor.js";

/** Where the server finds runs besides its own process: the run folders of one project. */
export interface RunPlaces {
  runsFolder: string;
  project: string;
}

/** A run the API can show: one of this process (live), or one whose folder says how it went. */
export interface FoundRun {
  info: RunInfo;
  live: LiveRun | undefined;
  folder: string;
  state(): Promise<LiveUpdate>;
  diagram(): Promise<string>;
  logs(): Promise<LogEntry[]>;
}

/*
 * The page polls the list every second; a runs folder with thousands of run
 * folders, and the journals of runs that wrote no final counts, are read at
 * most this often.
 */
const FOLDER_LIST_MS = 3000;
type PastRun = Awaited<ReturnType<typeof listRunFolders>>[number] & { state?: RunOutcome };
let folderList: { at: number; places: RunPlaces; runs: Promise<PastRun[]> } | undefined;

function pastRuns(places: RunPlaces): Promise<PastRun[]> {
  const now = Date.now();
  if (folderList === undefined || folderList.places !== places || now - folderList.at > FOLDER_LIST_MS) {
    folderList = { at: now, places, runs: listRunFolders(places.runsFolder, places.project) };
  }
  return folderList.runs;
}

/* read from its journal once per folder list, and only for a run that is not this process's own */
function pastSummary(run: PastRun, places: RunPlaces): SummaryLike {
  if (run.view !== undefined) return run.view.summary;
  run.state ??= elsewhere(run.info, join(places.runsFolder, run.info.id));
  return { state: run.state, startedAt: run.info.startedAt };
}

export async function runsList(places: RunPlaces): Promise<RunListing[]> {
  const here = liveRuns();
  const listed: RunListing[] = here.map((run) => listing(run.info, run.monitor.summary(), true));
  const seen = new Set(here.map((run) => run.id));
  for (const run of await pastRuns(places)) {
    if (!seen.has(run.info.id)) listed.push(listing(run.info, pastSummary(run, places), false));
  }
  return listed.sort((a, b) => b.startedAt - a.startedAt);
}

export async function findRun(id: string, places: RunPlaces): Promise<FoundRun> {
  const live = liveRun(id);
  if (live !== undefined) {
    return { info: live.info, live, folder: live.runFolder, state: async () => live.snapshot(), diagram: () => live.diagramXml(), logs: () => live.logs() };
  }
  const folder = join(places.runsFolder, id);
  const info = /^[\w-]+$/.test(id) ? await readRunInfo(folder) : undefined;
  if (info === undefined || info.project !== places.project) throw new InboxError("ADHESIVE_NO_SUCH_RUN", `no run "${id}" in this project`, 404);
  return {
    info,
    live: undefined,
    folder,
    state: async () => pastState(info, folder, await readRunView(folder)),
    diagram: () => diagramOf(folder),
    logs: () => listLogs(join(folder, "logs"), undefined),
  };
}

function pastState(info: RunInfo, folder: string, view: MonitorUpdate | undefined): LiveUpdate {
  if (view !== undefined) return { ...view, forms: [] };
  const state = elsewhere(info, folder);
  return {
    summary: { state, startedAt: info.startedAt, endedAt: undefined, durationMs: 0, tokens: 0, running: 0, waiting: 0, completed: 0, failed: 0, caught: 0, events: 0, eventsPerSecond: undefined, error: state === "running" ? `running in process ${info.pid}: its counts are shown by the live view of that process` : "the run ended without writing its final counts" },
    elements: {},
    flows: {},
    failures: [],
    forms: [],
  };
}

/* a run with no final counts either still runs in another process or died with it */
function elsewhere(info: RunInfo, folder: string): RunOutcome {
  // the journal knows: its end, or whether the very process that last ran it lives (a reused pid does not count)
  const file = join(folder, JOURNAL_FILE);
  if (existsSync(file)) {
    try {
      return stateOf(parseJournal(readFileSync(file, "utf8"), file));
    } catch {
      // an unreadable journal: the pid is all there is
    }
  }
  return isAlive({ pid: info.pid, start: undefined }) ? "running" : "interrupted";
}

type SummaryLike = Partial<MonitorUpdate["summary"]> & { state: RunOutcome; startedAt: number };

function listing(info: RunInfo, summary: SummaryLike, live: boolean): RunListing {
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
