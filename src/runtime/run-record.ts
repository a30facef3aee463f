import { createHash, randomUUID } from "node:crypto";
import { existsSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { Data } from "../engine/data.js";
import type { ReplayInput } from "../engine/journal.js";
import type { ProcessDefinition } from "../model/definition.js";
import type { NodeBinding } from "../tasks/binding.js";
import type { RunOptions } from "../api/types.js";
import { AdhesiveError, CancelledError, InterruptedError, describe } from "../errors.js";
import { isAlive, processIdentity } from "../journal/process-identity.js";
import { ownerOf } from "../journal/run-summary.js";
import { killLeftovers } from "./leftovers.js";
import { ReplayDivergedError } from "../engine/replay.js";
import { readJournal, type Journal } from "../journal/reader.js";
import { JOURNAL_FILE, JOURNAL_VERSION, type JournalHeader } from "../journal/records.js";
import { decodeValue, encodeValue } from "../journal/values.js";
import { JournalWriter } from "../journal/writer.js";
import { framedLine } from "../journal/framing.js";
import { upgradeJournal } from "../journal/upgrade.js";
import { createPrivateFolder, OWNER_ONLY_FILE } from "../workspaces/temp-folder.js";

/** A run that cannot be continued as asked (it finished, still runs, failed without --retry, or belongs to another process). */
export class ResumeError extends AdhesiveError {
  constructor(runId: string, message: string) {
    super("ADHESIVE_RESUME", `run ${runId}: ${message}`);
  }
}

/** Where a run's journal and logs live, and what it starts from: a new run, or one continued from its journal. */
export interface RunRecord {
  runId: string;
  /** `<runs_folder>/<runId>`: journal.ndjson, logs/ */
  folder: string;
  writer: JournalWriter | undefined;
  /** the journal the run continues from, with the inputs to replay */
  resumed: { journal: Journal; inputs: readonly ReplayInput[] } | undefined;
  initialData: Data;
  waitTasks: boolean;
  poolSize: number;
}

/* the API honours the config key's variable too (the CLI reads all of the configuration and passes runsFolder) */
export function runsFolderOf(options: RunOptions): string {
  return options.runsFolder ?? process.env.ADHESIVE_RUNS_FOLDER ?? join(process.cwd(), ".adhesive", "runs");
}

/** Where the journal of `runId` is (it may not exist). */
export function journalFileOf(options: RunOptions, runId: string): string {
  return join(runsFolderOf(options), runId, JOURNAL_FILE);
}

/**
 * Opens the run's record: with no journal for its id, a new one is started
 * (its header written before anything runs); with one, the run continues
 * from it. `journal: false` keeps nothing.
 */
export async function openRunRecord(definition: ProcessDefinition, bindings: readonly NodeBinding[], options: RunOptions, initialData: Data, onError: (error: Error) => void): Promise<RunRecord> {
  const runId = options.runId ?? randomUUID();
  const folder = join(runsFolderOf(options), runId);
  const fresh = { runId, folder, writer: undefined, resumed: undefined, initialData, waitTasks: options.waitTasks ?? true, poolSize: options.poolSize ?? availableParallelism() };
  createPrivateFolder(join(folder, "logs"));
  if (options.journal === false) return fresh;
  const file = join(folder, JOURNAL_FILE);
  const writerOptions = { fsync: options.journalFsync ?? false, onError };
  if (!existsSync(file)) {
    const first = header(runId, definition, bindings, options, fresh);
    writeFileSync(file, framedLine(JSON.stringify(first)), { mode: OWNER_ONLY_FILE, flag: "wx" });
    return { ...fresh, writer: new JournalWriter(file, { ...writerOptions, origin: first.at }) };
  }
  const journal = await readJournal(file);
  const inputs = resumable(journal, definition, options);
  // what the dead runner's commands were doing must not go on beside their retries
  killLeftovers(journal);
  // a record the crash cut off is dropped, or what is appended next would follow half a line
  if (journal.header.v === 1) await upgradeJournal(file);
  else if (journal.torn > 0) truncateSync(file, statSync(file).size - journal.torn);
  // the resume note is written once the run really goes on (see continued): a refused resume leaves the journal as it was
  const writer = new JournalWriter(file, { ...writerOptions, origin: journal.header.at });
  const { options: recorded } = journal.header;
  return { ...fresh, writer, resumed: { journal, inputs }, initialData: decodeValue(journal.header.initial) as Data, waitTasks: recorded.waitTasks, poolSize: recorded.poolSize };
}

function header(runId: string, definition: ProcessDefinition, bindings: readonly NodeBinding[], options: RunOptions, run: { initialData: Data; waitTasks: boolean; poolSize: number }): JournalHeader {
  const { pid, start } = processIdentity();
  return {
    t: "run",
    v: JOURNAL_VERSION,
    run: runId,
    at: Date.now(),
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
function resumable(journal: Journal, definition: ProcessDefinition, options: RunOptions): readonly ReplayInput[] {
  const { header, end } = journal;
  const runId = header.run;
  if (header.process.id !== definition.id) {
    throw new ResumeError(runId, `it ran process "${header.process.id}" (${header.process.source}), not "${definition.id}" (${definition.source})`);
  }
  const owner = ownerOf(journal);
  if (end === undefined && isAlive(owner)) throw new ResumeError(runId, `it is still running (pid ${owner.pid})`);
  switch (end?.state) {
    case "done":
      throw new ResumeError(runId, `it finished on ${new Date(end.at ?? header.at).toISOString()}: there is nothing to resume`);
    case "cancelled":
      throw new ResumeError(runId, `it was cancelled${end.error ? ` (${end.error})` : ""}: start a new run instead`);
    case "failed": {
      if (options.retry !== true) throw new ResumeError(runId, `it failed${end.error ? `: ${end.error}` : ""}; resume it with --retry (API: retry: true) to run the failed task again`);
      // the input that failed the run is left out: its task is in flight again, and runs once more
      const last = journal.inputs[journal.inputs.length - 1];
      return last?.kind === "failed" ? journal.inputs.slice(0, -1) : journal.inputs;
    }
    default:
      return journal.inputs;
  }
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
  record.writer?.note({ t: "resume", ...processIdentity(), at: Date.now(), retry: retry || undefined });
}

/** A refused resume (the journal cannot be continued as asked) must not give the run an end. */
export function refusedResume(error: unknown): boolean {
  return error instanceof ResumeError || error instanceof ReplayDivergedError;
}

/** The end of the run, for `adhesive runs` and for whoever resumes it; a finished run keeps its result. */
export function endNote(outcome: unknown, data: Data | undefined): Record<string, unknown> {
  const at = Date.now();
  if (outcome === undefined) return { t: "end", state: "done", at, data: encodeValue(data ?? {}) };
  const state = outcome instanceof InterruptedError ? "interrupted" : outcome instanceof CancelledError ? "cancelled" : "failed";
  return { t: "end", state, at, error: describe(outcome) };
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
