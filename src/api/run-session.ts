/*
 * The one object through which whoever runs a process file (the CLI, a
 * worker thread, or nobody: plain `node file.ts`) steers the runs the file
 * starts. The file is user code between the two: it calls bpmnBuild() on
 * the default instance or on an Adhesive of its own, so nothing can be
 * handed to its runs through it. Instead the runner enters its session for
 * the thread, and Adhesive.run() starts every run through the thread's
 * session: flags -> RunSession -> Adhesive.run() -> RunSession.start() ->
 * runDefinition().
 */
import { cloneValue } from "../engine/clone.js";
import { newRef, type Data } from "../engine/data.js";
import { mergeInto } from "../engine/merge.js";
import type { Config } from "../config/load.js";
import type { ProcessDefinition } from "../model/definition.js";
import { runDefinition } from "../runtime/run.js";
import type { Registry } from "../tasks/registry.js";
import type { StoreHandover } from "../store/lease.js";
import type { RunOptions, RunReporter } from "./types.js";
import type { VerifyRecorder } from "./verify-mode.js";

/** What `adhesive resume` continues: the run, the process its journal names, and how. */
export interface ResumeTarget {
  runId: string;
  processId: string;
  retry: boolean;
  force: boolean;
  /** a standby's claim of the run, taken over instead of claiming the run anew (adhesive serve) */
  handover?: StoreHandover;
}

/**
 * What a run is started for in this thread: to run; only to be recorded
 * (`adhesive verify`: a recorded run never settles, so none of the file's
 * code after it runs); or not at all (a worker thread of
 * parallel_processing: worker imports the process file only for its task()
 * calls, which are all made once it starts a run: it hears of that run's
 * registry, and the run never settles).
 */
export type RunPurpose = { kind: "run" } | { kind: "verify"; recorder: VerifyRecorder } | { kind: "worker"; onProcessStart: (registry: Registry) => void };

export interface RunSessionSettings {
  /**
   * Under every run's own options (the instance's `defaults` and the call's
   * win): the CLI's reporter and interrupt signal, the configured folders,
   * pool and journal. Undefined: the project's configuration
   * (`configuredOptions`, without parallel_processing), read once, when
   * the first run starts.
   */
  options?: RunOptions;
  /** `--data`: merged over the initialData of every run (its keys win; null removes one) */
  data?: Data;
  /** `adhesive resume`: the first run of the process the journal names (whichever instance starts it) continues that run */
  resume?: ResumeTarget;
  /** default: to run */
  purpose?: RunPurpose;
}

type RunListener = (run: Promise<unknown>) => void;

/*
 * The thread's session. Module state, one slot: the session is the
 * process's (its signals, its terminal, its exit code), and the process
 * file's code, which starts the runs, cannot be handed anything.
 */
let current: RunSession | undefined;

/** How the runs of a process file are started: under which options, data, resume target and purpose. */
export class RunSession {
  private readonly settings: RunSessionSettings;
  private readonly listeners = new Set<RunListener>();
  private configured: Promise<RunOptions> | undefined;
  private resumeClaimed = false;

  constructor(settings: RunSessionSettings = {}) {
    this.settings = settings;
  }

  /** The thread's session: the one entered, else one with the project's configuration and nothing else (plain `node file.ts`, embedders). */
  static current(): RunSession {
    current ??= new RunSession();
    return current;
  }

  /** Makes this the thread's session until the returned function is called, which restores the one before. */
  enter(): () => void {
    const before = current;
    current = this;
    return () => {
      if (current === this) current = before;
    };
  }

  /** Whether a run took the resume target (`adhesive resume` fails when the file never started the journal's process). */
  get resumed(): boolean {
    return this.resumeClaimed;
  }

  /**
   * Calls `listener` with every run started from now on, awaited or not
   * (the CLI waits for all of them and exits with their outcome); returns
   * the function that stops it. A process file that forgets to await its
   * run must not end in a silent exit 0.
   */
  onRun(listener: RunListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Starts a run of the process `read` resolves to (a file that cannot be
   * read is that run's failure), with the implementations of `registry` and
   * `options` (the instance's, over the session's).
   */
  start(source: string, read: () => Promise<ProcessDefinition>, registry: Registry, options: RunOptions): Promise<Data> {
    const purpose = this.settings.purpose ?? { kind: "run" };
    if (purpose.kind === "worker") {
      purpose.onProcessStart(registry);
      // the process runs in the main thread; this one only runs its tasks
      return new Promise<Data>(() => undefined);
    }
    if (purpose.kind === "verify") return purpose.recorder.record(source, read, registry, this.withData(layerOptions(this.settings.options ?? {}, options)).initialData);
    const run = this.launch(read(), registry, options);
    for (const listener of this.listeners) listener(run);
    return run;
  }

  /** A run's options: `options` over the session's, with `--data` merged into its initialData. */
  async runOptions(options: RunOptions): Promise<RunOptions> {
    return this.withData(layerOptions(await this.baseOptions(), options));
  }

  private async launch(read: Promise<ProcessDefinition>, registry: Registry, options: RunOptions): Promise<Data> {
    // both at once, and a file that cannot be read is never a rejection nobody handles while the configuration loads
    const [definition, merged] = await Promise.all([read, this.runOptions(options)]);
    return runDefinition(definition, registry, this.claimResume(definition, merged));
  }

  private baseOptions(): RunOptions | Promise<RunOptions> {
    if (this.settings.options !== undefined) return this.settings.options;
    // not parallel_processing: worker threads import the process file, which only the CLI knows (code can pass processFile)
    this.configured ??= import("../config/load.js").then(async ({ loadConfig }) => ({ ...configuredOptions(await loadConfig()), parallelProcessing: undefined }));
    return this.configured;
  }

  private withData(options: RunOptions): RunOptions {
    return withDataOverride(options, this.settings.data);
  }

  /* the first run of the journal's process continues the run; the file's other runs start as usual */
  private claimResume(definition: ProcessDefinition, options: RunOptions): RunOptions {
    const target = this.settings.resume;
    if (target === undefined || this.resumeClaimed || target.processId !== definition.id || options.runId !== undefined) return options;
    this.resumeClaimed = true;
    const store = target.handover === undefined || options.store === undefined ? options.store : { ...options.store, handover: target.handover };
    return { ...options, runId: target.runId, retry: target.retry, force: target.force, store };
  }
}

/**
 * The run options the configuration sets: folders, pool, output, journal,
 * retention. What only the command line shows (colours, task lines,
 * plugins, the live view's port) is the CLI's.
 */
export function configuredOptions(config: Config): RunOptions {
  return {
    tempFolder: config.tempFolder,
    runsFolder: config.runsFolder,
    // only when set: the default depends on the run's own parallelProcessing, which its options may change
    poolSize: config.sources.poolSize === "default" ? undefined : config.poolSize,
    stdout: config.stdout,
    parallelProcessing: config.parallelProcessing,
    taskLimit: config.taskLimit,
    keepRuns: config.keepRuns,
    journal: config.journal,
    journalFsync: config.journalFsync,
    store: config.store === undefined ? undefined : { url: config.store, pools: config.pools, leaseTtlMs: config.leaseTtlMs, keepResultsS: config.keepResultsS, scheduleToStartMs: config.scheduleToStartMs },
  };
}

/** `options` with `data` merged over its initialData (a copy: the run's caller keeps its objects). */
export function withDataOverride(options: RunOptions, data: Data | undefined): RunOptions {
  if (data === undefined) return options;
  const initialData = newRef(cloneValue(options.initialData ?? {}));
  mergeInto(initialData, cloneValue(data));
  return { ...options, initialData: initialData.data };
}

/**
 * `over` on top of `base`, except that both reporters hear the run and
 * either signal stops it: a reporter or signal of the process file's own
 * must not silence the CLI's task lines or its Ctrl-C.
 */
export function layerOptions(base: RunOptions, over: RunOptions | undefined): RunOptions {
  const merged: RunOptions = { ...base, ...over };
  if (base.reporter && over?.reporter && base.reporter !== over.reporter) merged.reporter = both(base.reporter, over.reporter);
  if (base.signal && over?.signal && base.signal !== over.signal) merged.signal = AbortSignal.any([base.signal, over.signal]);
  return merged;
}

function both(a: RunReporter, b: RunReporter): RunReporter {
  return {
    runStarted: (run) => (a.runStarted?.(run), b.runStarted?.(run)),
    unusedImplementations: (run, unused) => (a.unusedImplementations?.(run, unused), b.unusedImplementations?.(run, unused)),
    fileWarnings: (run, warnings) => (a.fileWarnings?.(run, warnings), b.fileWarnings?.(run, warnings)),
    waitingForMessages: (run, waits) => (a.waitingForMessages?.(run, waits), b.waitingForMessages?.(run, waits)),
    runFinished: (run, error) => (a.runFinished?.(run, error), b.runFinished?.(run, error)),
    eventReceived: (run) => (a.eventReceived?.(run), b.eventReceived?.(run)),
    taskStarted: (ctx) => (a.taskStarted?.(ctx), b.taskStarted?.(ctx)),
    taskFinished: (ctx, error, ms, caught) => (a.taskFinished?.(ctx, error, ms, caught), b.taskFinished?.(ctx, error, ms, caught)),
    taskCancelled: (ctx) => (a.taskCancelled?.(ctx), b.taskCancelled?.(ctx)),
    elementFailed: (run, element, error, caught) => (a.elementFailed?.(run, element, error, caught), b.elementFailed?.(run, element, error, caught)),
    laneFailed: (lane, error) => (a.laneFailed?.(lane, error), b.laneFailed?.(lane, error)),
  };
}
