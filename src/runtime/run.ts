import { randomUUID } from "node:crypto";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { Engine, type EngineObserver, type LiveToken } from "../engine/engine.js";
import type { TaskContext } from "../engine/context.js";
import type { Data } from "../engine/data.js";
import { cloneValue } from "../engine/clone.js";
import { checkData } from "../engine/data-check.js";
import { compiledProcess } from "../model/compile.js";
import type { ProcessDefinition } from "../model/definition.js";
import { assertBound, bindNodes } from "../tasks/binding.js";
import type { Declaration, Registry } from "../tasks/registry.js";
import { noUi } from "../ui/scripted.js";
import { terminalUi } from "../ui/terminal.js";
import type { UiProvider } from "../ui/form.js";
import type { Context, RunInfo, RunOptions, RunReporter } from "../api/types.js";
import { LocalWorkspace } from "../workspaces/local.js";
import { createRunFolder } from "../workspaces/temp-folder.js";
import { TaskRunner } from "./runner.js";
import { RunLogs } from "../logs/run-logs.js";
import { captureConsole, outsideTasks } from "../logs/console-capture.js";
import type { LiveOutput } from "../logs/task-log.js";
import { TaskError, UsageError } from "../errors.js";
import { WorkerPool } from "../workers/pool.js";
import { Lanes } from "../lanes/lanes.js";
import { startSources } from "./sources.js";
import { redactError } from "../secrets/redact-error.js";
import { StoppingTasks } from "./stopping.js";
import { guardProcessExit } from "./process-exit.js";
import { liveRunFor } from "../live/attach.js";

/** A run in progress, for status output. */
export interface ActiveRun {
  source: string;
  executionId: string;
  liveTokens(): LiveToken[];
}

/** The runs of this process that have not ended (the CLI prints them on SIGUSR1). */
export const activeRuns = new Set<ActiveRun>();

/** Compiles, binds and runs a process definition with the declarations of a registry. */
export async function runDefinition(definition: ProcessDefinition, registry: Registry, options: RunOptions = {}): Promise<Data> {
  const graph = compiledProcess(definition);
  const bindings = bindNodes(graph, registry);
  assertBound(bindings, definition.source);
  const executionId = randomUUID();
  const tempFolder = options.tempFolder ?? join(tmpdir(), "adhesive");
  const workspace = new LocalWorkspace({ id: executionId, pwd: await createRunFolder(tempFolder, executionId) });
  const info: RunInfo = { executionId, source: definition.source, logFolder: join(tempFolder, executionId, "logs") };
  const logs = new RunLogs(info.logFolder, options.stdout ? liveOutput : undefined);
  await logs.create();
  const stop = new AbortController();
  checkData(options.initialData ?? {}, "initialData", definition.source);
  // one deep copy per run: the caller may keep changing its own object while the run goes on
  const initialData = cloneValue(options.initialData ?? {});
  const laneDeclarations = registry.ofKind(["lane"]);
  const workers = workerPool(registry, options);
  const stopping = new StoppingTasks();
  const lanes = laneDeclarations.length > 0 ? new Lanes(laneDeclarations, { parent: workspace, signal: stop.signal, stopping }) : undefined;
  const live = await liveRunFor(options, { graph, definition, executionId, runFolder: join(tempFolder, executionId), processFile: options.processFile });
  const observer = observe(options.reporter, logs, stopping);
  const hooks = live?.feed(lanes, observer) ?? { tracker: lanes, observer };
  const engine = new Engine(graph, {
    executionId,
    waitTasks: options.waitTasks ?? true,
    poolSize: options.poolSize ?? availableParallelism(),
    runner: new TaskRunner(definition.source, graph.nodes.length, bindings, workspace, live?.ui(options.ui, terminalOrNone()) ?? options.ui ?? defaultUi(), lanes, logs, workers),
    observer: hooks.observer,
    signal: options.signal,
    clock: options.clock,
    tracker: hooks.tracker,
    taskLimit: options.taskLimit,
    failure: redactError,
  });
  const onEvent = options.reporter?.eventReceived && (() => options.reporter?.eventReceived?.(info));
  const launchSources = startSources(bindings, { engine, executionId, initialData, workspace, maxInFlight: options.maxEventsInFlight ?? 1000, maxBuffered: options.maxEventsBuffered ?? 100_000, signal: stop.signal, onEvent });
  const releaseConsole = captureConsole();
  const releaseExit = guardProcessExit();
  const run: ActiveRun = { source: definition.source, executionId, liveTokens: () => engine.liveTokens() };
  activeRuns.add(run);
  options.reporter?.runStarted?.(info);
  let outcome: unknown;
  try {
    await live?.attach(engine);
    const started = engine.start(initialData);
    launchSources();
    // cancelled tasks first: their commands die and their cleanup runs while their lanes are still up
    const data = await started.finally(() => stopping.settled().then(() => settleLanes(lanes, options.reporter)));
    const failed = (await lanes?.settle()) ?? [];
    if (failed.length > 0) throw failed[0];
    await live?.finish();
    return data;
  } catch (error) {
    await live?.finish(error);
    if (error instanceof TaskError && error.tokenId !== undefined) error.output ??= logs.outputOf(error.tokenId);
    // again: a value registered after the error was made (another task's withSecret) is masked in it too
    outcome = redactError(error);
    throw outcome;
  } finally {
    options.reporter?.runFinished?.(info, outcome);
    await workers?.pool.close();
    activeRuns.delete(run);
    releaseConsole();
    releaseExit();
    stop.abort();
    await logs.close();
  }
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
  return { pool: new WorkerPool(options.processFile, options.poolSize ?? availableParallelism()), declarations: registry.declarations };
}

function defaultUi(): UiProvider {
  return terminalOrNone() ?? noUi("no user interface was given (opts.ui) and stdin/stdout are not a terminal");
}

function terminalOrNone(): UiProvider | undefined {
  // prompts need keys from a terminal and a terminal to draw on; anything else would hang or garble
  return process.stdin.isTTY && process.stdout.isTTY ? terminalUi() : undefined;
}

/** Closes each task's log when it ends and adapts the reporter to the engine hooks, adding durations. */
function observe(reporter: RunReporter | undefined, logs: RunLogs, stopping: StoppingTasks): EngineObserver {
  if (reporter === undefined) {
    return {
      taskFinished: (ctx, error) => logs.finish(ctx.tokenId, error !== undefined),
      taskCancelled: (ctx) => {
        stopping.cancelled();
        logs.finish(ctx.tokenId, false);
      },
      cancelledTaskSettled: () => stopping.settledOne(),
    };
  }
  const started = new WeakMap<TaskContext, number>();
  return {
    taskStarted(ctx) {
      started.set(ctx, performance.now());
      reporter.taskStarted?.(ctx as unknown as Context);
    },
    taskFinished(ctx, error) {
      logs.finish(ctx.tokenId, error !== undefined);
      const duration = performance.now() - (started.get(ctx) ?? performance.now());
      // the reporter hears of a failure before the engine masks it for data._error: a reporter prints what it gets
      reporter.taskFinished?.(ctx as unknown as Context, error === undefined ? undefined : redactError(error), duration);
    },
    taskCancelled(ctx) {
      stopping.cancelled();
      logs.finish(ctx.tokenId, false);
      reporter.taskCancelled?.(ctx as unknown as Context);
    },
    cancelledTaskSettled: () => stopping.settledOne(),
  };
}
