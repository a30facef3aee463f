/*
 * A run whose journal, lease and registry entry live in a store
 * (RunOptions.store, `--store`; docs/scale-out.md). Loaded only for such a
 * run, so single-host runs load neither ioredis nor bullmq.
 *
 * The run still has its folder on this host for its logs and run.json; its
 * journal is the store's stream, its owner the holder of the store's lease.
 * A run whose stream has records is continued from them, through the same
 * replay as a journal file: that is how a standby (`adhesive serve`) or
 * `adhesive resume --store` takes it over.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { RunOptions } from "../api/types.js";
import type { Data } from "../engine/data.js";
import { framedLine } from "../journal/framing.js";
import type { Journal } from "../journal/reader.js";
import { processIdentity } from "../journal/process-identity.js";
import { continuedVersion, type RunState } from "../journal/records.js";
import { decodeValue } from "../journal/values.js";
import { talliesOf } from "../journal/snapshot.js";
import type { ProcessDefinition } from "../model/definition.js";
import { LOGS_FOLDER } from "../runs/files.js";
import { inRunFolder } from "../runs/folder-error.js";
import { checkedRunId, runFolderOf, runsFolderOf } from "../runs/places.js";
import { summaryFromJournal } from "../runs/summary.js";
import { SummaryWriter } from "../runs/summary-writer.js";
import { connectStore, type Store } from "../store/connection.js";
import { appendJournal, readStreamJournal } from "../store/journal-stream.js";
import { runKeys } from "../store/keys.js";
import { claimStoreRun, takeHandover, type StoreLease } from "../store/lease.js";
import { processVersion } from "../store/queue-name.js";
import { readRegistry, updateRegistry } from "../store/registry.js";
import { RemoteTasks } from "../store/remote-tasks.js";
import { noteRun } from "../store/run-notes.js";
import { StreamJournalWriter } from "../store/stream-writer.js";
import { readStoreInbox } from "../store/inbox-reader.js";
import type { NodeBinding } from "../tasks/binding.js";
import { createPrivateFolder } from "../workspaces/temp-folder.js";
import { defaultPoolSize } from "./pool-size.js";
import { definitionHash, header, implementationHashes, newSummary, owner, resumable, ResumeError, type RunRecord } from "./run-record.js";

/** The lanes declared with remote(pool) in code. */
export type RemoteLanes = ReadonlyArray<{ readonly patterns: readonly RegExp[]; readonly pool: string }>;

const DEFAULT_LEASE_TTL_MS = 10_000;
const DEFAULT_KEEP_RESULTS_S = 86_400;
/* how often the jobs in flight are asked for their state, besides their events: bounds how late a missed event is noticed */
const CONFIRM_EVERY_MS = 1000;
/* how often the registry's counts are brought up to date while the run goes on */
const REGISTRY_EVERY_MS = 1000;

/** Opens the run's record in the store: claims its lease, then starts its stream, or continues the run from it. */
export async function openStoreRunRecord(definition: ProcessDefinition, bindings: readonly NodeBinding[], options: RunOptions, initialData: Data, onError: (error: Error) => void, remoteLanes: RemoteLanes): Promise<RunRecord> {
  const settings = options.store!;
  const runId = checkedRunId(options.runId ?? randomUUID());
  const runsFolder = runsFolderOf(options);
  const folder = runFolderOf(runsFolder, runId);
  inRunFolder(join(folder, LOGS_FOLDER), "create the run's folder", () => createPrivateFolder(join(folder, LOGS_FOLDER)));
  const leaseMs = settings.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const store = await connectStore(settings.url, { name: `adhesive-orchestrator ${process.pid}` });
  let lease: StoreLease | undefined;
  let writer: StreamJournalWriter | undefined;
  let remote: RemoteTasks | undefined;
  try {
    // a standby's claim, handed to this process (adhesive serve); when it is stale, a claim of our own
    const handedOver = settings.handover?.runId === runId ? await takeHandover(store, settings.handover, leaseMs) : undefined;
    const claimed = handedOver ?? (await claimStoreRun(store, runId, leaseMs));
    if (!("epoch" in claimed)) {
      const by = claimed.heldBy;
      throw new ResumeError(runId, by ? `it is running on ${by.host} (pid ${by.pid}); a standby takes it over once that process stops renewing its lease (${leaseMs / 1000} s)` : "another process is taking it over right now");
    }
    lease = claimed;
    const held = lease;
    const fenced = () => !held.holds();
    lease.keep((lost) => {
      writer?.abandon();
      onError(lost);
    });
    const version = processVersion({ definition: definitionHash(definition), implementations: implementationHashes(bindings) });
    const whenRecorded = (done: (written: boolean) => void): void => (writer === undefined ? done(false) : writer.whenDurable(done));
    remote = (settings.pools ?? []).length === 0 && remoteLanes.length === 0 ? undefined : remoteTasks(store, lease, runId, version, settings, remoteLanes, whenRecorded);
    const finish = storeFinish(store, held, () => writer, () => remote);
    const waitTasks = options.waitTasks ?? true;
    const poolSize = options.poolSize ?? defaultPoolSize(options.parallelProcessing);
    const processName = `${definition.source}#${definition.id}`;
    if ((await store.redis.xlen(runKeys(runId).journal)) === 0) {
      const at = Date.now();
      const first = header(runId, definition, bindings, options, { initialData, waitTasks, poolSize }, at);
      await appendJournal(lease, Buffer.from(framedLine(JSON.stringify(first))));
      const tallies = { done: 0, failed: 0, caught: 0, last: new Map(), pids: new Map(), owner: processIdentity() };
      writer = new StreamJournalWriter(lease, { origin: first.at, tallies, onError });
      await updateRegistry(lease, { state: "running", process: processName });
      const summary = new SummaryWriter(folder, newSummary(runId, definition, options, at, true), fenced);
      return { runId, folder, runsFolder, writer, summary, lease, resumed: undefined, initialData, waitTasks, poolSize, store: { remote, finish, readInbox: (handle) => readStoreInbox(held, writer!, handle) } };
    }
    const journal = await readStreamJournal(store, runId);
    await registerEnd(lease, journal);
    const inputs = resumable(journal, definition, options, true);
    writer = new StreamJournalWriter(lease, { origin: journal.header.at, tallies: talliesOf(journal, processIdentity()), onError, size: journal.length, version: continuedVersion(journal.header.v) });
    await updateRegistry(lease, { state: "running", process: processName });
    const summary = new SummaryWriter(folder, { ...summaryFromJournal(journal, process.cwd()), ...owner(), state: "running", endedAt: undefined, error: undefined }, fenced);
    const { options: recorded } = journal.header;
    return { runId, folder, runsFolder, writer, summary, lease, resumed: { journal, inputs }, initialData: decodeValue(journal.header.initial) as Data, waitTasks: recorded.waitTasks, poolSize: recorded.poolSize, store: { remote, finish, readInbox: (handle) => readStoreInbox(held, writer!, handle) } };
  } catch (error) {
    writer?.abandon();
    await remote?.close().catch(() => undefined);
    await lease?.release().catch(() => undefined);
    await store.close();
    throw error;
  }
}

/*
 * A run whose journal ended while its registry entry says it runs: its
 * owner died between the two writes (a cancel's end, say). The registry is
 * brought to the journal's end, or every standby would take the run over
 * again and again, each resume refused.
 */
async function registerEnd(lease: StoreLease, journal: Journal): Promise<void> {
  if (journal.end === undefined) return;
  const entry = await readRegistry(lease.store, lease.runId);
  if (entry?.state !== "running") return;
  const tallies = talliesOf(journal, processIdentity());
  await updateRegistry(lease, { state: journal.end.state, add: { done: tallies.done - entry.counts.done, failed: tallies.failed - entry.counts.failed } });
}

function remoteTasks(store: Store, lease: StoreLease, runId: string, version: string, settings: NonNullable<RunOptions["store"]>, lanes: RemoteLanes, whenRecorded: (done: (written: boolean) => void) => void): RemoteTasks {
  return new RemoteTasks({
    whenRecorded,
    store,
    runId,
    pools: settings.pools ?? [],
    lanes,
    version,
    keepResultsS: settings.keepResultsS ?? DEFAULT_KEEP_RESULTS_S,
    confirmEveryMs: CONFIRM_EVERY_MS,
    scheduleToStartMs: settings.scheduleToStartMs,
    incidents: (open) => void updateRegistry(lease, { incidents: open }).catch(() => undefined),
    // the console of any host shows them too (a job that waits for a worker)
    warn: (text) => {
      process.stderr.write(`adhesive: run ${runId}: ${text}\n`);
      noteRun(store, runId, text).catch(() => undefined);
    },
  });
}

/*
 * Once the run has ended: the last records (the end note) go in, the
 * registry says how it ended, then the lease is released and the store let
 * go. The counts are brought up to date every second meanwhile.
 */
function storeFinish(store: Store, lease: StoreLease, writer: () => StreamJournalWriter | undefined, remote: () => RemoteTasks | undefined): (state: RunState | undefined) => Promise<void> {
  let reported = { done: 0, failed: 0 };
  // the delta is taken before the write: the last update (the run's end) may start while the timer's is in flight, and both must not add the same tasks
  const counts = async (state?: RunState): Promise<void> => {
    const tallies = { ...(writer()?.counts() ?? reported) };
    const add = { done: tallies.done - reported.done, failed: tallies.failed - reported.failed };
    reported = tallies;
    try {
      await updateRegistry(lease, { state, add });
    } catch (error) {
      reported = { done: reported.done - add.done, failed: reported.failed - add.failed };
      throw error;
    }
  };
  const timer = setInterval(() => void counts().catch(() => undefined), REGISTRY_EVERY_MS);
  timer.unref();
  return async (state) => {
    clearInterval(timer);
    await writer()?.drained();
    await remote()?.close().catch(() => undefined);
    // a run another process owns now is theirs to register (the fence refuses these writes anyway)
    if (lease.holds()) {
      await counts(state).catch(() => undefined);
      await lease.release().catch(() => undefined);
    }
    await store.close();
  };
}
