import { RunIndex, type IndexedRun, type UnreadableFolder } from "../console/run-index.js";
import { liveRuns } from "../live/registry.js";
import type { RunState } from "../journal/records.js";
import type { RunPlaces } from "./run-lookup.js";

/** A run as the runs list shows it: `adhesive runs`'s state names and task counts. */
export interface RunListing {
  id: string;
  processId: string;
  processName: string;
  source: string;
  processFile: string | undefined;
  state: RunState;
  startedAt: number;
  durationMs: number;
  /** task executions done */
  completed: number;
  /** task executions and other elements that failed and were not caught */
  failed: number;
  /** failures an error boundary event caught: the run went on */
  caught: number;
  /** task executions in flight (of a running or interrupted run) */
  running: number;
  error: string | undefined;
  /** this process runs it (its counts are live) */
  live: boolean;
  /** a run of the store: the host that owns it, its open incidents, and whether its owner stopped (a standby takes it over) */
  store?: { host: string | undefined; incidents: number; ownerLost: boolean };
}

/** What the list is narrowed to: ?state=, ?process= (a process id), ?q= (a text in ids, names, errors and data), ?limit=, ?offset=. */
export interface RunsQuery {
  state?: string;
  process?: string;
  q?: string;
  limit?: number;
  offset?: number;
}

export interface RunsPage {
  /** the runs that match, newest first, [offset, offset + limit) of them */
  runs: RunListing[];
  /** how many match */
  total: number;
  offset: number;
  /** over all the project's runs, for the filters: how many are in each state, and which processes ran */
  states: Record<string, number>;
  processes: Array<{ id: string; name: string; runs: number }>;
  unreadable: UnreadableFolder[];
}

const DEFAULT_LIMIT = 200;
const MAX_LIMIT = 1000;

const indexes = new WeakMap<RunPlaces, RunIndex>();

/** The runs of this process (live), those of the store (of every host) and those of the project's runs folder, filtered. */
export async function runsList(places: RunPlaces, query: RunsQuery = {}): Promise<RunsPage> {
  let index = indexes.get(places);
  if (index === undefined) indexes.set(places, (index = new RunIndex(places.runsFolder, places.project)));
  const here = liveRuns();
  const listed: Array<{ listing: RunListing; run: IndexedRun | undefined }> = here.map((run) => ({ listing: liveListing(run), run: undefined }));
  const seen = new Set(here.map((run) => run.id));
  if (places.store !== undefined) {
    const { storeListings, splitProcess } = await import("./store-run.js");
    for (const { entry, header, ownerLost } of await storeListings(places.store)) {
      const store = { host: entry.owner?.host, incidents: entry.incidents.length, ownerLost };
      const mine = listed.find(({ listing }) => listing.id === entry.runId);
      if (mine !== undefined) {
        mine.listing.store = store;
        continue;
      }
      seen.add(entry.runId);
      const [source, processId] = splitProcess(entry.process);
      const state = entry.state ?? "running";
      const startedAt = header?.at ?? entry.registered;
      listed.push({
        listing: {
          id: entry.runId,
          processId: header?.process.id ?? processId,
          processName: header?.process.name ?? processId,
          source: header?.process.source ?? source,
          processFile: header?.process.file,
          state,
          startedAt,
          durationMs: (state === "running" ? Date.now() : entry.updated) - startedAt,
          completed: entry.counts.done,
          failed: entry.counts.failed,
          caught: 0,
          running: state === "running" ? Math.max(0, entry.counts.started - entry.counts.done - entry.counts.failed) : 0,
          error: entry.incidents[0]?.reason,
          live: false,
          store,
        },
        run: undefined,
      });
    }
  }
  const { runs, unreadable } = await index.runs();
  for (const run of runs) if (!seen.has(run.id)) listed.push({ listing: pastListing(run), run });
  listed.sort((a, b) => b.listing.startedAt - a.listing.startedAt);

  const states: Record<string, number> = {};
  const processes = new Map<string, { id: string; name: string; runs: number }>();
  for (const { listing } of listed) {
    states[listing.state] = (states[listing.state] ?? 0) + 1;
    const known = processes.get(listing.processId) ?? { id: listing.processId, name: listing.processName, runs: 0 };
    known.runs++;
    processes.set(listing.processId, known);
  }

  const text = query.q?.trim().toLowerCase() ?? "";
  let matching = listed.filter(({ listing }) => (!query.state || listing.state === query.state) && (!query.process || listing.processId === query.process));
  if (text !== "") {
    const found = await Promise.all(matching.map(async ({ listing, run }) => namesText(listing).includes(text) || (run !== undefined && (await index.dataText(run)).includes(text))));
    matching = matching.filter((_, i) => found[i]);
  }
  const offset = Math.max(0, query.offset ?? 0);
  const limit = Math.min(Math.max(1, query.limit ?? DEFAULT_LIMIT), MAX_LIMIT);
  return {
    runs: matching.slice(offset, offset + limit).map(({ listing }) => listing),
    total: matching.length,
    offset,
    states,
    processes: [...processes.values()],
    unreadable,
  };
}

function namesText(listing: RunListing): string {
  return [listing.id, listing.processId, listing.processName, listing.source, listing.processFile ?? "", listing.error ?? ""].join("\n").toLowerCase();
}

function liveListing(run: ReturnType<typeof liveRuns>[number]): RunListing {
  const info = run.info;
  const summary = run.monitor.summary();
  return {
    id: info.id,
    processId: info.processId,
    processName: info.processName,
    source: info.source,
    processFile: info.processFile,
    state: summary.state,
    startedAt: summary.startedAt,
    durationMs: summary.durationMs,
    completed: summary.completed,
    failed: summary.failed,
    caught: summary.caught,
    running: summary.running,
    error: summary.error,
    live: true,
  };
}

/* from its summary (run.json): task counts, as `adhesive runs` prints them */
function pastListing({ summary, state }: IndexedRun): RunListing {
  const end = summary.endedAt ?? (state === "running" ? Date.now() : summary.lastActivity);
  return {
    id: summary.id,
    processId: summary.processId,
    processName: summary.processName,
    source: summary.source,
    processFile: summary.processFile,
    state,
    startedAt: summary.startedAt,
    durationMs: end - summary.startedAt,
    completed: summary.done,
    failed: summary.failed,
    caught: summary.caught,
    running: state === "running" || state === "interrupted" ? summary.inFlight : 0,
    error: summary.error,
    live: false,
  };
}
