import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Data } from "../engine/data.js";
import type { ReplayInput } from "../engine/journal.js";
import type { ProcessDefinition } from "../model/definition.js";
import type { NodeBinding } from "../tasks/binding.js";
import type { RunOptions } from "../api/types.js";
import { AdhesiveError, TaskError, describe } from "../errors.js";
import { isAlive, processIdentity } from "../journal/process-identity.js";
import { inRunFolder } from "../runs/folder-error.js";
import { JOURNAL_FILE, LOGS_FOLDER, SUMMARY_FILE } from "../runs/files.js";
import { journalOwner } from "../runs/journal-facts.js";
import { checkedRunId, runFolderOf, runsFolderOf } from "../runs/places.js";
import { summaryFromJournal, type RunSummary } from "../runs/summary.js";
import { SummaryWriter } from "../runs/summary-writer.js";
import { endState } from "../runs/state.js";
import { killLeftovers } from "./leftovers.js";
import { ReplayDivergedError } from "../engine/replay.js";
import { readJournal, type Journal } from "../journal/reader.js";
import { continuedVersion, JOURNAL_VERSION, type JournalHeader, type RunState } from "../journal/records.js";
import type { RemoteTasks } from "../store/remote-tasks.js";
import type { ControlRequest } from "../inbox/control-socket.js";
import type { RemoteLanes } from "./store-record.js";
import { decodeValue, encodeValue } from "../journal/values.js";
import { JournalWriter } from "../journal/writer.js";
import type { RunJournal } from "../journal/journal-records.js";
import { framedLine } from "../journal/framing.js";
import { upgradeJournal } from "../journal/upgrade.js";
import { restartJournal } from "../journal/segment.js";
import { talliesOf } from "../journal/snapshot.js";
import { claimRun, DEFAULT_OWNER_LEASE_MS } from "../runs/owner/file-lease.js";
import type { RunLease } from "../runs/owner/lease.js";
import { createPrivateFolder, OWNER_ONLY_FILE } from "../workspaces/temp-folder.js";
import { defaultPoolSize } from "./pool-size.js";

/** A run that cannot be continued as asked (it finished, still runs, failed without --retry, or belongs to another process). */
export class ResumeError extends AdhesiveError {
  /** always `ADHESIVE_RESUME` */
  declare readonly code: "ADHESIVE_RESUME";
  constructor(runId: string, message: string) {
    super("ADHESIVE_RESUME", `run ${runId}: ${message}`);
  }
}

/** Where a run's journal and logs live, and what it starts from: a new run, or one continued from its journal. */
export interface RunRecord {
  runId: string;
  /** `<runs_folder>/<runId>`: journal.ndjson, run.json, logs/ (src/runs/files.ts) */
  folder: string;
  runsFolder: string;
  writer: RunJournal | undefined;
  /** run.json: how the run stands, for `adhesive runs`, retention and the live view */
  summary: SummaryWriter;
  /** this process's ownership of the run (none without a journal) */
  lease: RunLease | undefined;
  /** the journal the run continues from, with the inputs to replay */
  resumed: { journal: Journal; inputs: readonly ReplayInput[] } | undefined;
  initialData: Data;
  waitTasks: boolean;
  poolSize: number;
  /** a run in a store (store-record.ts): its remote tasks, and what ends its hold on the store once the run has ended */
  store?: { remote: RemoteTasks | undefined; readInbox(handle: (request: ControlRequest, recorded?: () => void) => unknown): () => void; finish(state: RunState | undefined): Promise<void> };
}

/** Where the journal of `runId` is (it may not exist). */
export function journalFileOf(options: RunOptions, runId: string): string {
  return join(runFolderOf(runsFolderOf(options), runId), JOURNAL_FILE);
}

/**
 * Opens the run's record: with no journal for its id, a new one is started
 * (its header and summary written before anything runs); with one, the run
 * continues from it. `journal: false` keeps no journal, only the summary.
 */
export async function openRunRecord(definition: ProcessDefinition, bindings: readonly NodeBinding[], options: RunOptions, initialData: Data, onError: (error: Error) => void, remoteLanes: RemoteLanes = []): Promise<RunRecord> {
  if (options.store !== undefined) return (await import("./store-record.js")).openStoreRunRecord(definition, bindings, options, initialData, onError, remoteLanes);
  const runId = checkedRunId(options.runId ?? randomUUID());
  const runsFolder = runsFolderOf(options);
  const folder = runFolderOf(runsFolder, runId);
  const waitTasks = options.waitTasks ?? true;
  const poolSize = options.poolSize ?? defaultPoolSize(options.parallelProcessing);
  inRunFolder(join(folder, LOGS_FOLDER), "create the run's folder", () => createPrivateFolder(join(folder, LOGS_FOLDER)));
  const file = join(folder, JOURNAL_FILE);
  // one owner per run: claimed before the journal is read, or written for the first time
  const fresh = !existsSync(file);
  const lease = options.journal === false ? undefined : claim(folder, runId, options.ownerLeaseMs ?? DEFAULT_OWNER_LEASE_MS, fresh);
  let writer: JournalWriter | undefined;
  const writerOptions = { fsync: options.journalFsync ?? false, onError, fence: lease && (() => (lease.holds() ? undefined : lease.lostError())) };
  const fenced = () => lease !== undefined && !lease.holds();
  lease?.keep((lost) => {
    writer?.abandon();
    onError(lost);
  });
  try {
    if (options.journal === false || fresh) {
      const at = Date.now();
      const summary = new SummaryWriter(folder, newSummary(runId, definition, options, at, options.journal !== false), fenced);
      if (options.journal !== false) {
        const first = header(runId, definition, bindings, options, { initialData, waitTasks, poolSize }, at);
        const line = framedLine(JSON.stringify(first));
        // a run whose header cannot be written (a full disk) never started: nothing of it is left
        inRunFolder(file, "write the journal", () => writeOrRemove(folder, () => writeFileSync(file, line, { mode: OWNER_ONLY_FILE, flag: "wx" })));
        const tallies = { done: 0, failed: 0, caught: 0, last: new Map(), pids: new Map(), owner: processIdentity() };
        writer = new JournalWriter(file, { ...writerOptions, origin: first.at, header: line, tallies, tag: `epoch-${lease!.epoch}` });
      }
      // its summary is written by announce(), once this process lists the run as its own
      return { runId, folder, runsFolder, writer, summary, lease, resumed: undefined, initialData, waitTasks, poolSize };
    }
    // what a former owner's snapshot or restart left half-made (and one it is making right now can no longer be put in place)
    for (const name of readdirSync(folder)) if (name.startsWith(`${JOURNAL_FILE}.`) && name.endsWith(".tmp")) rmSync(join(folder, name), { force: true });
    const journal = await readJournal(file);
    // runs of an older adhesive have no owners yet: their journal says who ran them last
    const inputs = resumable(journal, definition, options, lease!.epoch > 1);
    // what the dead runner's commands were doing must not go on beside their retries
    killLeftovers(journal);
    // this owner's own journal file: the bytes read (a record the crash cut off left out), in format 2
    if (journal.header.v === 1) await upgradeJournal(file);
    else restartJournal(file, journal.length, `epoch-${lease!.epoch}`, () => lease!.holds());
    if (!lease!.holds()) throw lease!.lostError();
    // the resume note and summary are written once the run really goes on (see continued): a refused resume leaves the run as it was
    const line = framedLine(JSON.stringify({ ...journal.header, v: JOURNAL_VERSION }));
    writer = new JournalWriter(file, { ...writerOptions, origin: journal.header.at, header: line, tallies: talliesOf(journal, processIdentity()), tag: `epoch-${lease!.epoch}`, version: continuedVersion(journal.header.v) });
    const { options: recorded } = journal.header;
    const summary = new SummaryWriter(folder, { ...summaryFromJournal(journal, process.cwd()), ...owner(), state: "running", endedAt: undefined, error: undefined }, fenced);
    return { runId, folder, runsFolder, writer, summary, lease, resumed: { journal, inputs }, initialData: decodeValue(journal.header.initial) as Data, waitTasks: recorded.waitTasks, poolSize: recorded.poolSize };
  } catch (error) {
    writer?.close();
    lease?.release();
    throw error;
  }
}

/**
 * A new run's summary (run.json) is written: from now on other processes
 * see it. Called once this process lists the run as its own (its live view
 * registered it), before anything runs. A run whose summary cannot be
 * written (a full disk) never started: nothing of it is left.
 */
export function announce(record: RunRecord): void {
  if (record.resumed !== undefined) return;
  inRunFolder(join(record.folder, SUMMARY_FILE), "write the run's summary", () =>
    writeOrRemove(
      record.folder,
      () => record.summary.open(),
      () => {
        record.writer?.close();
        record.lease?.release();
      },
    ),
  );
}

/* the run's lease, or the refusal that names who holds it */
function claim(folder: string, runId: string, leaseMs: number, fresh: boolean): RunLease {
  const claimed = inRunFolder(folder, "claim the run in", () => (fresh ? writeOrRemove(folder, () => claimRun(folder, runId, leaseMs)) : claimRun(folder, runId, leaseMs)));
  if ("heldBy" in claimed) throw new ResumeError(runId, claimed.heldBy ? `it is still running (pid ${claimed.heldBy.pid})` : "another process is taking it over right now");
  return claimed;
}

/* a new run's first files: when one cannot be written, its folder goes, so no half-made run is left behind */
function writeOrRemove<T>(folder: string, write: () => T, before?: () => void): T {
  try {
    return write();
  } catch (error) {
    before?.();
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}

export function newSummary(runId: string, definition: ProcessDefinition, options: RunOptions, at: number, journal: boolean): RunSummary {
  return {
    version: 2,
    id: runId,
    state: "running",
    processId: definition.id,
    processName: definition.name,
    source: definition.source,
    processFile: options.processFile,
    project: process.cwd(),
    ...owner(),
    startedAt: at,
    endedAt: undefined,
    lastActivity: at,
    done: 0,
    failed: 0,
    caught: 0,
    inFlight: 0,
    error: undefined,
    control: undefined,
    journal,
  };
}

export function owner(): { pid: number; pidStart: number | undefined } {
  const { pid, start } = processIdentity();
  return { pid, pidStart: start };
}

export function header(runId: string, definition: ProcessDefinition, bindings: readonly NodeBinding[], options: RunOptions, run: { initialData: Data; waitTasks: boolean; poolSize: number }, at: number): JournalHeader {
  const { pid, start } = processIdentity();
  return {
    t: "run",
    v: JOURNAL_VERSION,
    run: runId,
    at,
    pid,
    start,
    process: { source: definition.source, id: definition.id, name: definition.name, file: options.processFile },
    definition,
    hashes: { definition: definitionHash(definition), implementations: implementationHashes(bindings) },
    options: { waitTasks: run.waitTasks, poolSize: run.poolSize },
    initial: encodeValue(run.initialData),
  };
}

/** The inputs to replay, once the journal says the run may go on. */
export function resumable(journal: Journal, definition: ProcessDefinition, options: RunOptions, leased: boolean): readonly ReplayInput[] {
  const { header, end } = journal;
  const runId = header.run;
  if (header.process.id !== definition.id) {
    throw new ResumeError(runId, `it ran process "${header.process.id}" (${header.process.source}), not "${definition.id}" (${definition.source})`);
  }
  // with a lease, its claim decided that; a run of an older adhesive has only its journal to say who runs it
  const owner = journalOwner(journal);
  if (!leased && end === undefined && isAlive(owner)) throw new ResumeError(runId, `it is still running (pid ${owner.pid})`);
  switch (end?.state) {
    case "done":
      throw new ResumeError(runId, `it finished on ${new Date(end.at ?? header.at).toISOString()}: there is nothing to resume`);
    case "cancelled":
      throw new ResumeError(runId, `it was cancelled${end.error ? ` (${end.error})` : ""}: start a new run instead`);
    case "failed": {
      if (options.retry !== true) throw new ResumeError(runId, `it failed${end.error ? `: ${end.error}` : ""}; resume it with --retry (API: retry: true) to run the failed task again`);
      // the input that failed the run is left out: its task is in flight again, and runs once more
      const last = journal.inputs[journal.inputs.length - 1];
      return withoutRetriedFailures(last?.kind === "failed" ? journal.inputs.slice(0, -1) : journal.inputs);
    }
    default:
      return withoutRetriedFailures(journal.inputs);
  }
}

/*
 * The failures an earlier --retry ran again: a failure of a task execution
 * that started again later. Replayed, such a failure would fail the run at
 * once, so after one failed retry every later one ended the run without
 * calling the task (a crashed retry could not be resumed either). Left out,
 * the execution's starts replay as those of a task interrupted more than once.
 */
function withoutRetriedFailures(inputs: readonly ReplayInput[]): readonly ReplayInput[] {
  // failures are few: only their executions' starts are looked at
  const failed = new Set<number>();
  for (const input of inputs) if (input.kind === "failed") failed.add(input.seq);
  if (failed.size === 0) return inputs;
  const startedLater = new Set<number>();
  let retried = false;
  const kept = new Array<ReplayInput | undefined>(inputs.length);
  for (let i = inputs.length - 1; i >= 0; i--) {
    const input = inputs[i];
    if (input.kind === "started" && failed.has(input.seq)) startedLater.add(input.seq);
    const drop = input.kind === "failed" && startedLater.has(input.seq);
    retried ||= drop;
    kept[i] = drop ? undefined : input;
  }
  return retried ? kept.filter((input) => input !== undefined) : inputs;
}

export function definitionHash(definition: ProcessDefinition): string {
  return sha256(JSON.stringify({ ...definition, source: undefined }));
}

/** Per element, what it runs: a changed function (or matcher) changes the hash. */
export function implementationHashes(bindings: readonly NodeBinding[]): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const { node, declaration, candidates } of bindings) {
    const used = declaration ? [declaration] : candidates;
    if (used.length === 0) continue;
    hashes[node.id] = sha256(used.map((d) => `${d.kind} ${d.label} ${String(d.fn)}`).join("\n"));
  }
  return hashes;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The run goes on from its journal (the replay and the checks passed): from now on, this process runs it. */
export function continued(record: RunRecord, retry: boolean): void {
  const taken = record.lease?.takenFrom;
  record.writer?.note({ t: "resume", ...processIdentity(), at: Date.now(), retry: retry || undefined, epoch: record.lease?.epoch, takenFrom: taken && { pid: taken.pid, start: taken.start } });
  inRunFolder(join(record.folder, SUMMARY_FILE), "write the run's summary", () => record.summary.open());
}

/**
 * The run could not start (its live view could not open, ...): a new run
 * ends as failed, so nothing takes it for a run whose runner died; a
 * resumed one is left as it was, to be resumed again.
 */
export function abandonRecord(record: RunRecord, error: unknown): void {
  if (record.resumed === undefined) {
    record.writer?.note(endNote(error, undefined));
    record.summary.close("failed", describe(error));
  }
  record.writer?.close();
  if (record.store === undefined) record.lease?.release();
  else void record.store.finish(record.resumed === undefined ? "failed" : undefined).catch(() => undefined);
}

/** A refused resume (the journal cannot be continued as asked) must not give the run an end. */
export function refusedResume(error: unknown): boolean {
  return error instanceof ResumeError || error instanceof ReplayDivergedError;
}

/** The end of the run, for `adhesive runs` and for whoever resumes it; a finished run keeps its result. */
export function endNote(outcome: unknown, data: Data | undefined): Record<string, unknown> {
  const at = Date.now();
  if (outcome === undefined) return { t: "end", state: "done", at, data: encodeValue(data ?? {}) };
  // where it failed: `adhesive runs` names and counts a gateway, a loop or an event that failed the run, which have no task record of their own
  // i: the message instance it failed in, which the console marks failed
  const element = outcome instanceof TaskError ? { id: outcome.elementId, name: outcome.taskName, error: describe(outcome.cause), i: outcome.instance } : undefined;
  return { t: "end", state: endState(outcome), at, error: describe(outcome), element };
}


/**
 * After the replay, before anything runs again: the run is refused (unless
 * `force`) when the process changed where its tokens stand, or the function
 * of a task that was in flight changed. Changes elsewhere, such as a fix
 * for a task the run has not reached yet, are what resuming is for.
 */
export function checkChanges(record: RunRecord, definition: ProcessDefinition, bindings: readonly NodeBinding[], standing: ReadonlyArray<{ elementId: string; running: boolean }>, force: boolean): void {
  const journal = record.resumed?.journal;
  if (journal === undefined || force) return;
  const problems: string[] = [];
  if (definitionHash(definition) !== journal.header.hashes.definition) {
    const before = elementsById(journal.header.definition);
    const now = elementsById(definition);
    for (const id of new Set(standing.map((token) => token.elementId))) {
      if (!now.has(id)) problems.push(`element ${id} is gone from the process`);
      else if (before.get(id) !== now.get(id)) problems.push(`element ${id} changed in the process`);
    }
  }
  const implementations = implementationHashes(bindings);
  for (const id of new Set(standing.filter((token) => token.running).map((token) => token.elementId))) {
    if (journal.header.hashes.implementations[id] !== implementations[id]) problems.push(`the function of ${id} changed, and it was running`);
  }
  if (problems.length > 0) {
    throw new ResumeError(record.runId, `the process changed where its tokens stand: ${problems.join("; ")}; resume with --force (API: force: true) to continue with the new version`);
  }
}

/* each element with the flows that leave it: what decides what a token standing there does next */
function elementsById(definition: ProcessDefinition): Map<string, string> {
  const elements = new Map<string, string>();
  const visit = (scope: ProcessDefinition["root"]): void => {
    for (const node of scope.nodes) {
      const { children, ...own } = node;
      elements.set(node.id, JSON.stringify([own, scope.flows.filter((flow) => flow.source === node.id)]));
      if (children) visit(children);
    }
  };
  visit(definition.root);
  return elements;
}
