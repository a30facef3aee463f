import { randomUUID } from "node:crypto";
import { AsyncResource } from "node:async_hooks";
import { basename, join } from "node:path";
import { Engine, type EngineObserver, type LiveToken } from "../engine/engine.js";
import { TaskContext } from "../engine/context.js";
import type { Token } from "../engine/token.js";
import type { Data } from "../engine/data.js";
import { cloneValue } from "../engine/clone.js";
import { checkData } from "../engine/data-check.js";
import { compiledProcess } from "../model/compile.js";
import type { ProcessGraph } from "../model/graph.js";
import type { ProcessDefinition } from "../model/definition.js";
import { assertBound, bindNodes } from "../tasks/binding.js";
import { unusedImplementations } from "../tasks/mapping-check.js";
import type { Declaration, Registry } from "../tasks/registry.js";
import { noUi } from "../ui/scripted.js";
import { terminalUi } from "../ui/terminal.js";
import type { UiProvider } from "../ui/form.js";
import type { RunInfo, RunOptions, RunReporter } from "../api/types.js";
import { LocalWorkspace } from "../workspaces/local.js";
import { LOGS_FOLDER } from "../runs/files.js";
import { inRunFolder } from "../runs/folder-error.js";
import { checkedRunId, runsFolderOf, tempFolderOf, workspaceParentOf } from "../runs/places.js";
import { createWorkspaceFolder } from "../runs/workspace-folder.js";
import { keepRunsOf } from "../runs/keep.js";
import { OwnerLostError } from "../runs/owner/lease.js";
import { pruneOnce } from "../runs/retention.js";
import { TaskRunner } from "./runner.js";
import { Feeds } from "./feeds.js";
import { RunLogs } from "../logs/run-logs.js";
import { captureConsole, outsideTasks } from "../logs/console-capture.js";
import type { LiveOutput } from "../logs/task-log.js";
import { TaskError, UsageError, describe } from "../errors.js";
import { WorkerPool } from "../workers/pool.js";
import { Lanes } from "../lanes/lanes.js";
import { remotePoolOf } from "../lanes/remote.js";
import { startSources } from "./sources.js";
import { abandonRecord, announce, checkChanges, continued, endNote, openRunRecord, refusedResume, type RunRecord } from "./run-record.js";
import { endState } from "../runs/state.js";
import { noteCommandGroups } from "./leftovers.js";
import { ReplayClock } from "../journal/replay-clock.js";
import { systemClock } from "../engine/clock.js";
import type { NodeBinding } from "../tasks/binding.js";
import { redactError } from "../secrets/redact-error.js";
import { StoppingTasks } from "./stopping.js";
import { StartTimes } from "./start-times.js";
import { TurnClock } from "./turn-clock.js";
import { runCounts, takesRunCounts, type RunCounts, type TakesRunCounts } from "./run-counts.js";
import { SnapshotGate } from "./snapshot-gate.js";
import { guardProcessExit } from "./process-exit.js";
import { liveRunFor } from "../live/attach.js";
import type { MonitorTaskHooks } from "../monitor/engine-feed.js";
import { watchesRunningTasks, type RunningTask, type WatchesRunningTasks } from "./running-tasks.js";
import { defaultPoolSize } from "./pool-size.js";
import { userContext } from "./user-context.js";

/* a journal file grows by this much before the next snapshot starts a new one (src/journal/snapshot.ts) */
const DEFAULT_SNAPSHOT_BYTES = 64 * 1024 * 1024;

/** A run in progress, for status output. */
export interface ActiveRun {
  source: string;
  executionId: string;
  liveTokens(): LiveToken[];
}

/**
 * The runs of this process that have not ended (the CLI prints them on
 * SIGUSR1). Not a switch: nothing branches on it; it is what a status
 * request asks of the whole process, whatever session started the runs.
 */
export const activeRuns = new Set<ActiveRun>();

/** Compiles, binds and runs a process definition with the declarations of a registry; continues it from its journal if it has one. */
export async function runDefinition(definition: ProcessDefinition, registry: Registry, options: RunOptions = {}): Promise<Data> {
  const graph = compiledProcess(definition);
  const bindings = bindNodes(graph, registry);
  assertBound(bindings, definition.source);
  checkData(options.initialData ?? {}, "initialData", definition.source);
  const stop = new AbortController();
  let journalFailure: Error | undefined;
  // a journal that can no longer be written stops the run: what it did next could not be rebuilt
  const onJournalError = (error: Error): void => {
    journalFailure ??= error;
    stop.abort(error);
  };
  const runId = checkedRunId(options.runId ?? randomUUID());
  const tempFolder = tempFolderOf(options);
  // before the run record: a run that cannot have a workspace never starts, and leaves no run behind
  const pwd = inRunFolder(workspaceParentOf(tempFolder, runId), "create the run's workspace", () => createWorkspaceFolder(tempFolder, runId, runsFolderOf(options)));
  const workers = workerPool(registry, options);
  // one deep copy per run: the caller may keep changing its own object while the run goes on
  const laneDeclarations = registry.ofKind(["lane"]);
  const remoteLanes = laneDeclarations.flatMap((declaration) => {
    const pool = remotePoolOf(declaration.fn);
    return pool === undefined ? [] : [{ patterns: declaration.patterns, pool }];
  });
  const record = await openRunRecord(definition, bindings, { ...options, runId }, cloneValue(options.initialData ?? {}), onJournalError, remoteLanes);
  const executionId = record.runId;
  const workspace = new LocalWorkspace({ id: executionId, pwd });
  // the runs that ended beyond keep_runs go, at most once a minute, beside the run (not before it: a runs folder shared by many runs
  // takes a while to list); best effort: a folder that cannot be removed now is tried again
  pruneOnce({ runsFolder: record.runsFolder, tempFolder, project: process.cwd() }, keepRunsOf(options)).catch(() => undefined);
  const info: RunInfo = { executionId, source: definition.source, logFolder: join(record.folder, LOGS_FOLDER) };
  // the run record made its folder
  const logs = new RunLogs(info.logFolder, options.stdout ? liveOutput : undefined);
  const stopping = new StoppingTasks();
  const lanes = laneDeclarations.length > 0 ? new Lanes(laneDeclarations, { parent: workspace, signal: stop.signal, stopping, remote: record.store?.remote }) : undefined;
  const clock = record.resumed ? new ReplayClock(options.clock ?? systemClock, record.resumed.journal.header.at) : options.clock;
  // the inbox's cancel (adhesive cancel, the console) stops the run as its signal option would
  const cancel = (error: Error): void => stop.abort(error);
  const live = await liveRunFor(options, { graph, definition, executionId, runFolder: record.folder, processFile: options.processFile, summary: record.summary, cancel }).catch(async (error: unknown) => {
    abandonRecord(record, error);
    await workers?.pool.close();
    throw error;
  });
  try {
    // listed by this process (its live view) first, then by others (its run.json)
    announce(record);
  } catch (error) {
    await live?.finish(error, false);
    await workers?.pool.close();
    throw error;
  }
  const monitor = live?.feed(lanes);
  const running = new StartTimes<RunningTask>();
  const counts = (options.reporter as TakesRunCounts | undefined)?.[takesRunCounts] === undefined ? undefined : runCounts(graph);
  // a caught failure's note takes the engine's time, as the journal's inputs around it do (called once the engine exists)
  const observer = observe(info, options.reporter, logs, stopping, record, () => engine.now(), { monitor, running, counts });
  const feeds = new Feeds(live !== undefined);
  const engine = new Engine(graph, {
    executionId,
    waitTasks: record.waitTasks,
    poolSize: record.poolSize,
    runner: new TaskRunner(definition.source, graph.nodes.length, bindings, workspace, live?.ui(options.ui, terminalOrNone()) ?? options.ui ?? defaultUi(), lanes, logs, feeds, workers, record.store?.remote),
    observer,
    signal: anySignal(options.signal, stop.signal),
    clock,
    tracker: monitor ?? lanes,
    taskLimit: options.taskLimit,
    failure: redactError,
    journal: record.writer,
    // later turns of the engine run in the run's own async context, not in that of the task whose promise woke it
    schedule: AsyncResource.bind((fn: () => void) => void setImmediate(fn)),
  });
  const onEvent = counts !== undefined ? () => void counts.events++ : options.reporter?.eventReceived && (() => options.reporter?.eventReceived?.(info));
  const gate = new SnapshotGate();
  record.writer?.snapshotEvery?.({ every: options.journalSnapshotBytes ?? DEFAULT_SNAPSHOT_BYTES, checkpoint: () => engine.checkpoint(), hold: () => gate.hold(), release: () => gate.release() });
  const sources = { engine, feeds, executionId, initialData: record.initialData, workspace, maxInFlight: options.maxEventsInFlight ?? 1000, maxBuffered: options.maxEventsBuffered ?? 100_000, signal: stop.signal, onEvent, gate };
  const releaseConsole = captureConsole();
  const releaseExit = guardProcessExit();
  const stopNotingGroups = noteCommandGroups(record.writer);
  const run: ActiveRun = { source: definition.source, executionId, liveTokens: () => engine.liveTokens() };
  activeRuns.add(run);
  options.reporter?.runStarted?.(info);
  (options.reporter as WatchesRunningTasks | undefined)?.[watchesRunningTasks]?.(info, running);
  if (counts !== undefined) (options.reporter as TakesRunCounts)[takesRunCounts]!(info, counts);
  reportUnused(options.reporter, info, registry, { graph, bindings });
  if (definition.warnings !== undefined && definition.warnings.length > 0) options.reporter?.fileWarnings?.(info, definition.warnings);
  let outcome: unknown;
  let result: Data | undefined;
  let stopInbox: (() => void) | undefined;
  try {
    await live?.attach(engine.outside);
    // a run in a store also takes the requests of its inbox there (adhesive send --store), as its control socket does
    if (live !== undefined) stopInbox = record.store?.readInbox((request, recorded) => live.handle(request, recorded));
    // sources are counted before the engine starts (a run with only message starts must not end at once); they emit once it has
    const launchSources = startSources(bindings, { ...sources, lastEvents: lastEvents(record) });
    const started = record.resumed ? (await continueRun(engine, record, definition, bindings, clock as ReplayClock, { force: options.force === true, retry: options.retry === true })).result : engine.start(record.initialData);
    launchSources();
    // cancelled tasks first: their commands die and their cleanup runs while their lanes are still up
    const data = await started.finally(() => stopping.settled().then(() => settleLanes(lanes, options.reporter)));
    const failed = (await lanes?.settle()) ?? [];
    if (failed.length > 0) throw failed[0];
    result = data;
    await live?.finish();
    return data;
  } catch (error) {
    // a refused resume leaves the run as it was: its view too; and a run another process took over is theirs
    await live?.finish(error, !refusedResume(error) && !(error instanceof OwnerLostError) && !(journalFailure instanceof OwnerLostError));
    if (error instanceof TaskError && error.tokenId !== undefined) error.output ??= logs.outputOf(error.tokenId);
    // again: a value registered after the error was made (another task's withSecret) is masked in it too
    outcome = redactError(journalFailure ?? error);
    throw outcome;
  } finally {
    stopInbox?.();
    stopNotingGroups();
    if (!refusedResume(outcome)) {
      record.writer?.note(endNote(outcome, result));
      record.summary.close(endState(outcome), outcome === undefined ? undefined : describe(outcome));
    }
    record.writer?.close();
    if (record.store === undefined) record.lease?.release();
    else await record.store.finish(refusedResume(outcome) ? undefined : endState(outcome));
    options.reporter?.runFinished?.(info, outcome);
    await workers?.pool.close();
    activeRuns.delete(run);
    releaseConsole();
    releaseExit();
    stop.abort();
    await logs.close();
  }
}

/**
 * Rebuilds the run from its journal (no task function is called), checks
 * that the process did not change where its tokens stand, then lets it go
 * on: the tasks in flight when it stopped run again, timers fall due.
 */
async function continueRun(engine: Engine, record: RunRecord, definition: ProcessDefinition, bindings: NodeBinding[], clock: ReplayClock, { force, retry }: { force: boolean; retry: boolean }): Promise<{ result: Promise<Data> }> {
  const { journal, inputs } = record.resumed!;
  const replay = engine.beginReplay(inputs, (at) => clock.set(at));
  // a journal that starts from a snapshot: the run goes on from its checkpoint
  const started = engine.start(record.initialData, journal.checkpoint);
  // the run's outcome is awaited later; a failure while it is rebuilt must not go unhandled meanwhile
  started.catch(() => undefined);
  await replay.apply();
  const standing = engine.liveTokens().map((token) => ({ elementId: token.elementId, running: token.state === "running" }));
  checkChanges(record, definition, bindings, standing, force);
  continued(record, retry);
  clock.goLive();
  engine.endReplay();
  return { result: started };
}

/* computed only for a reporter that listens: a run without one (benchmarks, embedders) pays nothing */
function reportUnused(reporter: RunReporter | undefined, info: RunInfo, registry: Registry, process: { graph: ProcessGraph; bindings: readonly NodeBinding[] }): void {
  if (reporter?.unusedImplementations === undefined) return;
  const unused = unusedImplementations(registry, [process]);
  if (unused.length === 0) return;
  reporter.unusedImplementations(info, unused.map((d) => ({ kind: d.kind === "userTask" ? "usertask" : d.kind, label: d.label, origin: d.origin })));
}

/* a message source of a continued run hears of the last event its elements got, so it can go on from there */
function lastEvents(record: RunRecord): ReadonlyMap<string, unknown> {
  const last = new Map<string, unknown>(record.resumed?.journal.lastEvents);
  for (const input of record.resumed?.inputs ?? []) if (input.kind === "emitted" || input.kind === "delivered") last.set(input.node, input.event);
  return last;
}

function anySignal(a: AbortSignal | undefined, b: AbortSignal): AbortSignal {
  return a === undefined ? b : AbortSignal.any([a, b]);
}

/* `stdout: true`: a task's output, written from inside the task, must not be captured into its log again */
const liveOutput: LiveOutput = { write: (text) => outsideTasks(() => process.stdout.write(text)) };

/** Every lane is torn down before the run returns or rejects, and each teardown failure is reported. */
async function settleLanes(lanes: Lanes | undefined, reporter: RunReporter | undefined): Promise<void> {
  if (lanes === undefined) return;
  for (const failure of await lanes.settle()) reporter?.laneFailed?.(failure.lane, redactError(failure) as typeof failure);
}

function workerPool(registry: Registry, options: RunOptions): { pool: WorkerPool; declarations: readonly Declaration[] } | undefined {
  if (options.parallelProcessing !== "worker") return undefined;
  if (options.processFile === undefined) {
    throw new UsageError('parallelProcessing: "worker" needs processFile: the file the worker threads import to find the task functions');
  }
  return { pool: new WorkerPool(options.processFile, options.poolSize ?? defaultPoolSize("worker")), declarations: registry.declarations };
}

function defaultUi(): UiProvider {
  return terminalOrNone() ?? noUi("no user interface was given (opts.ui) and stdin/stdout are not a terminal");
}

function terminalOrNone(): UiProvider | undefined {
  // prompts need keys from a terminal and a terminal to draw on; anything else would hang or garble
  return process.stdin.isTTY && process.stdout.isTTY ? terminalUi() : undefined;
}

/**
 * Closes each task's log when it ends (noting it in the journal), notes
 * caught failures in the journal, counts tasks for the run's summary and
 * for a reporter that takes counts (RunCounts: a task that succeeds while
 * it is quiet is only counted), adapts the reporter to the engine hooks,
 * adding durations, and tells the
 * live run's monitor (one observer: a second wrapped around this one cost
 * the CLI a call per hook and per task).
 */
function observe(
  info: RunInfo,
  reporter: RunReporter | undefined,
  logs: RunLogs,
  stopping: StoppingTasks,
  record: RunRecord,
  now: () => number,
  { monitor, running: started, counts }: { monitor: MonitorTaskHooks | undefined; running: StartTimes<RunningTask>; counts: RunCounts | undefined },
): EngineObserver {
  const { writer: journal, summary } = record;
  const finish = (ctx: TaskContext, failed: boolean): void => {
    const file = logs.finish(ctx.tokenId, failed);
    if (file !== undefined) journal?.note({ t: "log", s: ctx.seq, file: basename(file) });
  };
  // names only for a reporter that shows the running tasks
  const named = (reporter as WatchesRunningTasks | undefined)?.[watchesRunningTasks] !== undefined;
  const clock = new TurnClock();
  const duration = (ctx: TaskContext): number => {
    const at = clock.now();
    return at - (started.take(ctx.tokenId) ?? at);
  };
  /* a task that threw, until the engine says (at once, in tokenFailed) whether an error boundary caught it */
  let failing: { ctx: TaskContext; error: unknown; ms: number } | undefined;
  return {
    taskStarted(ctx) {
      summary.taskStarted(ctx.attempt);
      monitor?.taskStarted(ctx);
      if (reporter === undefined) return;
      const user = userContext(ctx);
      // not the context: what holds it keeps all it reaches (the token, its data) alive through the young generation's collections
      started.set(ctx.tokenId, clock.recent(), named ? (user.loop === undefined ? user.taskName : { name: user.taskName, loop: user.loop }) : undefined);
      if (counts?.quiet !== true) reporter.taskStarted?.(user);
    },
    taskFinished(ctx, error) {
      finish(ctx, error !== undefined);
      summary.taskEnded(error !== undefined);
      // the reporter hears of a failure before the engine masks it for data._error: a reporter prints what it gets
      if (error !== undefined) failing = { ctx, error: redactError(error), ms: duration(ctx) };
      else if (counts === undefined) reporter?.taskFinished?.(userContext(ctx), undefined, duration(ctx));
      else {
        // the context's token stands on the task's node
        counts.done[(TaskContext.handleOf(ctx) as Token).node.index]++;
        if (!counts.quiet) reporter!.taskFinished?.(userContext(ctx), undefined, duration(ctx));
        else started.take(ctx.tokenId);
      }
      monitor?.taskFinished(ctx, error);
    },
    tokenFailed(token, error, caught) {
      const task = failing !== undefined && failing.ctx.tokenId === token.id ? failing : undefined;
      failing = undefined;
      const shown = task?.error ?? redactError(error);
      // `adhesive runs` counts a caught failure as caught: the journal's "f" record alone cannot tell
      if (caught) journal?.note({ t: "caught", n: token.node.id, s: task?.ctx.seq, i: token.frame.instance || undefined, at: now(), error: describe(shown) });
      if (caught) summary.failureCaught(task !== undefined);
      else if (task === undefined) summary.elementFailed();
      if (task !== undefined) reporter?.taskFinished?.(userContext(task.ctx), shown, task.ms, caught);
      else reporter?.elementFailed?.(info, { id: token.node.id, name: token.taskName || token.node.name, type: token.node.kind }, shown, caught);
      monitor?.tokenFailed(token, error, caught);
    },
    taskCancelled(ctx) {
      started.take(ctx.tokenId);
      stopping.cancelled();
      summary.taskCancelled();
      finish(ctx, false);
      reporter?.taskCancelled?.(userContext(ctx));
      monitor?.taskCancelled(ctx);
    },
    cancelledTaskSettled: () => stopping.settledOne(),
    waitingForMessages(nodes) {
      reporter?.waitingForMessages?.(info, nodes.map((node) => ({ elementId: node.id, name: node.name, message: node.messageName ?? node.name })));
    },
  };
}
