/*
 * The runs of a store (`adhesive serve --store --ui`, `adhesive ui
 * --store`; docs/scale-out.md): each run of every host, from the store's
 * registry (state, owner, counts, incidents) and its journal stream (the
 * timeline, the diagram's counts, the data), followed as the stream grows.
 * What the page asks of such a run (a message, a form's answer, a cancel)
 * goes to its inbox in the store, where its owner takes it, wherever that
 * runs. Loaded only when the console has a store.
 */
import { join } from "node:path";
import type { ControlRequest } from "../inbox/control-socket.js";
import { InboxError } from "../inbox/inbox-error.js";
import type { JournalHeader, RunState } from "../journal/records.js";
import type { LiveUpdate } from "../live/live-run.js";
import { diagramOf } from "../live/diagram.js";
import { listLogs } from "../live/logs.js";
import type { MonitorSummary } from "../monitor/run-monitor.js";
import { LOGS_FOLDER } from "../runs/files.js";
import { runFolderOf } from "../runs/places.js";
import type { RunSummary } from "../runs/summary.js";
import { redactJson } from "../secrets/redact.js";
import type { Store } from "../store/connection.js";
import { requestStoreRun, unansweredText } from "../store/inbox-reader.js";
import { runKeys } from "../store/keys.js";
import { listStoreRuns, readRegistry, type RegistryEntry } from "../store/registry.js";
import { readRunNotes } from "../store/run-notes.js";
import { streamEnds } from "../store/stream-reader.js";
import { journalState } from "../console/journal-state.js";
import { streamJournalOf } from "../console/stream-views.js";
import type { JournalView } from "../console/journal-view.js";
import type { RunPlaces, ViewedRun } from "./run-lookup.js";

/* how often a page's event stream looks at the run's stream and registry entry */
const FOLLOW_MS = 250;
/* how long a request from the page waits for the run's owner to answer */
const REQUEST_WAIT_MS = 10_000;

/** What the page shows of a store run beside its counts: owner, incidents, waiting jobs. */
export interface StoreFacts {
  /** the store, as it may be shown (no password) */
  store: string;
  owner: { host: string; pid: number } | undefined;
  epoch: number;
  /** a running run whose lease ran out: its orchestrator stopped, a standby takes it over */
  ownerLost: boolean;
  incidents: Array<{ seq: number; node: string; task: string; job: string; reason: string; retry: string }>;
  /** jobs of tasks still in flight that the owner said wait for a worker (schedule_to_start_ms) */
  warnings: Array<{ at: number; text: string; job: string | undefined }>;
}

/** A store run's page answers: its facts, and its requests through its inbox. */
export interface StoreAccess {
  facts(): Promise<StoreFacts | undefined>;
  /** asks the run's owner (through the inbox): its result, its refusal (thrown), or `{ queued, message }` when it has not answered (queued: the request waits in the inbox) */
  request(request: ControlRequest): Promise<unknown>;
}

/** The run `id` of the store, or undefined when the store has no such run. */
export async function viewStoreRun(store: Store, id: string, places: RunPlaces): Promise<ViewedRun | undefined> {
  let entry = await readRegistry(store, id);
  if (entry === undefined) return undefined;
  const folder = runFolderOf(places.runsFolder, id);
  const journal = () => streamJournalOf(store, id);
  let { header, view } = await journal();
  const access = storeAccess(store, id);
  const summaryNow = (): MonitorSummary => monitorSummary(entry!, view);
  const run: ViewedRun = {
    info: runInfo(id, entry, header as unknown as JournalHeader | undefined, view, places.project),
    live: undefined,
    folder,
    runState: () => stateOf(entry!, view),
    state: async () => {
      ({ view } = await journal());
      entry = (await readRegistry(store, id)) ?? entry;
      const summary = summaryNow();
      const counts: LiveUpdate = view === undefined ? { summary, elements: {}, flows: {}, failures: [], forms: [] } : { ...journalState(view, summary), forms: [] };
      return { ...counts, store: await access.facts() };
    },
    // the diagram the run's folder keeps when it ran on this host, else the definition in its journal's header
    diagram: async () => {
      try {
        return await diagramOf(folder);
      } catch {
        const [{ toBpmnXml }, { header: now }] = await Promise.all([import("../bpmn/write.js"), journal()]);
        if (now === undefined) throw new InboxError("ADHESIVE_NO_SUCH_RUN", `run ${id} has no journal in the store ${store.address.shown}`, 404);
        return toBpmnXml((now as unknown as JournalHeader).definition);
      }
    },
    // a task's log stays on the host that ran it: those of this host's folder
    logs: () => listLogs(join(folder, LOGS_FOLDER), undefined),
    journal: async () => {
      const read = await journal();
      return { view: read.view, problem: read.problem };
    },
    store: access,
    subscribe: (send) => followStoreRun(store, id, () => run.state(), send),
  };
  return run;
}

/** What the store says of the run beside its journal, and its inbox. */
function storeAccess(store: Store, id: string): StoreAccess {
  return {
    facts: async () => {
      const entry = await readRegistry(store, id);
      if (entry === undefined) return undefined;
      const [held, notes, { view }] = await Promise.all([store.redis.exists(runKeys(id).lease), readRunNotes(store, id), streamJournalOf(store, id)]);
      const incidentJobs = new Set(entry.incidents.map((incident) => incident.job));
      const inFlight = (job: string | undefined): boolean => {
        const seq = Number(job?.split(".").at(-2));
        return view === undefined || !Number.isInteger(seq) || view.execution(seq)?.outcome === "running";
      };
      const state = stateOf(entry, view);
      return {
        store: store.address.shown,
        owner: entry.owner === undefined ? undefined : { host: entry.owner.host, pid: entry.owner.pid },
        epoch: entry.epoch,
        ownerLost: state === "running" && held === 0,
        incidents: entry.incidents.map((incident) => ({ ...incident, retry: retryCommand(store, id, incident.node) })),
        warnings: state !== "running" ? [] : notes.filter((note) => !incidentJobs.has(note.job ?? "") && inFlight(note.job)),
      };
    },
    request: async (request) => {
      const outcome = await requestStoreRun(store, id, request, REQUEST_WAIT_MS);
      // as adhesive send --store: not an error, the request waits in the inbox for the run's owner (or the standby that takes it over), or was taken
      if ("unanswered" in outcome) return { queued: outcome.unanswered === "queued", message: unansweredText(id, outcome.unanswered, REQUEST_WAIT_MS, store.address.shown) };
      const reply = outcome.reply;
      if (!reply.ok) throw new InboxError(reply.code ?? "ADHESIVE_BAD_REQUEST", reply.message, reply.code === "ADHESIVE_BAD_REQUEST" || reply.code === undefined ? 400 : 409);
      return reply.result;
    },
  };
}

/** The command that puts an incident's job back. */
export function retryCommand(store: Store, runId: string, node: string): string {
  return `adhesive retry ${runId} ${node} --store ${store.address.shown}`;
}

/** The store's runs as the runs list shows them, with their registry facts. */
export async function storeListings(store: Store): Promise<Array<{ entry: RegistryEntry; header: JournalHeader | undefined; ownerLost: boolean }>> {
  const entries = await listStoreRuns(store);
  const pipeline = store.redis.pipeline();
  for (const entry of entries) pipeline.exists(runKeys(entry.runId).lease);
  const held = ((await pipeline.exec()) ?? []).map((reply) => reply[1] === 1);
  return Promise.all(entries.map(async (entry, i) => ({ entry, header: await headerOf(store, entry.runId), ownerLost: (entry.state ?? "running") === "running" && !held[i] })));
}

/* a run's header never changes: read once per run */
const headers = new WeakMap<Store, Map<string, JournalHeader>>();

async function headerOf(store: Store, runId: string): Promise<JournalHeader | undefined> {
  let known = headers.get(store);
  if (known === undefined) headers.set(store, (known = new Map()));
  const cached = known.get(runId);
  if (cached !== undefined) return cached;
  const { readHeader } = await import("../store/journal-stream.js");
  const header = await readHeader(store, runId).catch(() => undefined);
  if (header !== undefined) known.set(runId, header);
  return header;
}

/*
 * A page's event stream of a store run: its state first, then again each
 * time its stream or its registry entry changed (an entry appended on any
 * host, a count, an incident), looked at every FOLLOW_MS.
 */
function followStoreRun(store: Store, id: string, state: () => Promise<unknown>, send: (message: { seq: number; json: string }) => void): () => void {
  let stopped = false;
  let seq = 0;
  let seen = "";
  let timer: NodeJS.Timeout | undefined;
  const look = async (): Promise<void> => {
    try {
      const [ends, updated, notes] = await Promise.all([streamEnds(store, id), store.redis.hget(runKeys(id).info, "updated"), store.redis.llen(`${runKeys(id).info}:notes`)]);
      const mark = `${ends?.first}/${ends?.last}/${updated}/${notes}`;
      if (mark !== seen) {
        seen = mark;
        const json = redactJson(await state());
        if (!stopped) send({ seq: ++seq, json });
      }
    } catch {
      // the store is away: the next look tries again
    }
    if (!stopped) timer = setTimeout(() => void look(), FOLLOW_MS);
  };
  void look();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/* the registry's state, else what the journal's end says (an entry not yet brought up to date) */
function stateOf(entry: RegistryEntry, view: JournalView | undefined): RunState {
  return entry.state ?? view?.end?.state ?? "running";
}

function monitorSummary(entry: RegistryEntry, view: JournalView | undefined): MonitorSummary {
  const state = stateOf(entry, view);
  const startedAt = view?.startedAt ?? entry.registered;
  const ended = state === "running" ? undefined : (view?.end?.at ?? entry.updated);
  let running = 0;
  if (view !== undefined && state === "running") for (const [, counts] of view.counts("running")) running += counts.running;
  return {
    state,
    startedAt,
    endedAt: ended,
    durationMs: (ended ?? Date.now()) - startedAt,
    tokens: 0,
    running,
    waiting: 0,
    completed: entry.counts.done,
    failed: entry.counts.failed,
    caught: 0,
    events: 0,
    eventsPerSecond: undefined,
    error: view?.end?.error,
  };
}

function runInfo(id: string, entry: RegistryEntry, header: JournalHeader | undefined, view: JournalView | undefined, project: string): RunSummary {
  const [source, processId] = splitProcess(entry.process);
  const state = stateOf(entry, view);
  return {
    version: 2,
    id,
    state,
    processId: header?.process.id ?? processId,
    processName: header?.process.name ?? processId,
    source: header?.process.source ?? source,
    processFile: header?.process.file,
    project,
    pid: entry.owner?.pid ?? header?.pid ?? 0,
    pidStart: undefined,
    startedAt: header?.at ?? entry.registered,
    endedAt: state === "running" ? undefined : view?.end?.at,
    lastActivity: entry.updated,
    done: entry.counts.done,
    failed: entry.counts.failed,
    caught: 0,
    inFlight: 0,
    error: view?.end?.error,
    control: undefined,
    journal: true,
  };
}

/* the registry's process: `<source>#<process id>` */
export function splitProcess(process: string | undefined): [string, string] {
  if (process === undefined) return ["?", "?"];
  const at = process.lastIndexOf("#");
  return at < 0 ? [process, process] : [process.slice(0, at), process.slice(at + 1)];
}
