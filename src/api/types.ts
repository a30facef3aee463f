import type { TaskNodeInfo } from "../engine/context.js";
import type { Clock } from "../engine/clock.js";
import type { Data } from "../engine/data.js";
import type { UiBuilder, UiProvider } from "../ui/form.js";
import type { Workspace } from "../workspaces/workspace.js";
import type { BpmnProblem } from "../errors.js";
import type { StoreHandover } from "../store/lease.js";

export type { Data } from "../engine/data.js";
export type { TaskNodeInfo } from "../engine/context.js";

/** `ctx.loop`: the current iteration; `parent` is the enclosing loop. */
export interface LoopInfo {
  /** 0 for the first iteration */
  readonly index: number;
  /** the item's key: its index in an array or Set, the key of an object's or a Map's entry; the index for a condition loop */
  readonly key: unknown;
  /** the item: an array's or Set's element, an object's or a Map's value; the expression's value for a condition loop */
  readonly value: unknown;
  /** the loop's expression as written in the file (or the `loop` option) */
  readonly expression: string;
  /** the iteration of the loop around this one (a looped sub-process), else undefined */
  readonly parent: LoopInfo | undefined;
}

/**
 * What every task, user task, gateway, message and lane function receives.
 * `D` is the process data's type, `ctx.data`: give your own interface to
 * `task<OrderData>()` and `bpmnBuild<OrderData>()` (it is your claim about
 * the data; adhesive does not check it when the process runs).
 */
export interface Context<D extends object = Data> {
  /** the process element running: its id, name as drawn and kind */
  readonly task: TaskNodeInfo;
  /** the element's name with `{loop.value}`, `{data.x}` filled in */
  readonly taskName: string;
  /** this token's data: safe to mutate, other branches never see it */
  readonly data: D;
  /** the current iteration when the element (or a sub-process around it) loops, else undefined */
  readonly loop: LoopInfo | undefined;
  /** the name of the lane the element is in, undefined outside lanes */
  readonly lane: string | undefined;
  /** where commands run and files go: the lane's workspace (local, docker, kube, ssh), else the run's local folder */
  workspace: Workspace;
  /** the run's id (its folder under the runs folder; what `adhesive resume` takes) */
  readonly executionId: string;
  /** the token's number in the run (a task's log file is `<task>.<tokenId>.log`) */
  readonly tokenId: number;
  /**
   * The message instance the task runs in: the number of the message event
   * that started it (1 for the run's first, in the order the run took them;
   * the journal, the console and the terminal's task lines use it).
   * Undefined outside one: in a run started without a message, and in
   * instances a timer, signal or condition started.
   */
  readonly instance?: number;
  /** fires when the token is cancelled (error boundary, timer, SIGINT) */
  readonly signal: AbortSignal;
  /** 1, or 2, 3, ... when the task runs again because the run was interrupted while it ran (see Durability) */
  readonly attempt: number;
  /** whether this call is such a retry (attempt > 1) */
  readonly resumed: boolean;
  /** the same for every attempt of this task execution: run id, element, loop keys, execution number */
  readonly idempotencyKey: string;
  /**
   * For message sources of a continued run: the last event the journal
   * recorded for their elements, so a source can go on after it. Undefined
   * in a new run, and in tasks.
   */
  readonly lastEvent?: unknown;
}

/** A task's implementation: gets the context and the matcher's regular expression groups; what it sets in `ctx.data` is the task's result. It may be async. */
export type TaskFunction<D extends object = Data> = (ctx: Context<D>, ...groups: string[]) => unknown;
/** A user task's implementation: builds the form with `ui` (`ui.addInputText("name")`, ...); the answers land in `ctx.data` under the fields' names. */
export type UserTaskFunction<D extends object = Data> = (ctx: Context<D>, ui: UiBuilder, ...groups: string[]) => unknown;
/** A message source: a generator or async generator whose every value is one event (`data.event` where it arrives; `keyed(key, data)` for a correlated one). */
export type MessageFunction<D extends object = Data> = (ctx: Context<D>, ...groups: string[]) => AsyncIterable<unknown> | Iterable<unknown>;
/**
 * `emit(event)` resolves once the event has started its instance: await it
 * to be held back while the run has `maxEventsInFlight` instances running.
 * Events not awaited wait in a buffer; past `maxEventsBuffered` the run
 * fails with a BackpressureError (ADHESIVE_BACKPRESSURE).
 */
export type MessageCallbackFunction<D extends object = Data> = (ctx: Context<D>, emit: (event: unknown) => Promise<void>, ...groups: string[]) => unknown;

/** A run as reporters see it. */
export interface RunInfo {
  /** the run's id */
  readonly executionId: string;
  /** the BPMN file or builder the process came from */
  readonly source: string;
  /** `<runs_folder>/<executionId>/logs`: what each task printed */
  readonly logFolder: string;
}

/** The element of a process where something failed, as reporters see it. */
export interface FailedElement {
  /** the BPMN element id */
  readonly id: string;
  /** its name as the run knows it (a task's interpolated name), else its id */
  readonly name: string;
  /** its kind: "exclusiveGateway", "task", "endEvent", ... */
  readonly type: string;
}

/** A task(), usertask(), message(), lane(), timer() or condition() declaration, as reporters see it. */
export interface ImplementationInfo {
  /** the function that declared it: "task", "usertask", "message", "messageCallback", "lane", "timer" or "condition" */
  readonly kind: string;
  /** its matcher as written: `"Deploy"`, `/^Build .+$/`, `type "mail"` */
  readonly label: string;
  /** where it was declared (`file:line`), when known */
  readonly origin: string | undefined;
}

/** Reports what the run does (the CLI prints it); every hook is optional. */
export interface RunReporter {
  /** the run has started (or is continued from its journal) */
  runStarted?(run: RunInfo): void;
  /**
   * Implementations that no element of the run's process matches (a name
   * misspelt, a task left over after the diagram changed): once per run,
   * right after runStarted, and only when there are some.
   */
  unusedImplementations?(run: RunInfo, unused: readonly ImplementationInfo[]): void;
  /**
   * What the file draws that BPMN forbids and adhesive runs anyway (an
   * element without an outgoing flow, a boundary event without a
   * definition; the warnings of `adhesive lint`): once per run, right after
   * runStarted, and only when there are some.
   */
  fileWarnings?(run: RunInfo, warnings: readonly BpmnProblem[]): void;
  /** `error` is undefined when the run succeeded */
  runFinished?(run: RunInfo, error: unknown): void;
  /** a message source delivered an event */
  eventReceived?(run: RunInfo): void;
  /** a task function is called */
  taskStarted?(ctx: Context): void;
  /**
   * `error` is undefined when the task succeeded. `caught`: the error it
   * threw was caught by an error boundary event (or an error event
   * sub-process) and the run goes on, so it did not fail the run.
   */
  taskFinished?(ctx: Context, error: unknown, durationMs: number, caught?: boolean): void;
  /** a running task was cancelled (a boundary event, a failure elsewhere, the run's signal): its `ctx.signal` fired */
  taskCancelled?(ctx: Context): void;
  /**
   * An element failed without a task function of its own throwing: an
   * exclusive gateway no flow leaves, a loop, condition or data mapping
   * expression that threw, an error end event. `caught` as for
   * taskFinished; otherwise the run fails with it.
   */
  elementFailed?(run: RunInfo, element: FailedElement, error: unknown, caught: boolean): void;
  /** a lane's workspace could not be torn down (the run rejects with it unless it failed already) */
  laneFailed?(lane: string, error: Error): void;
  /**
   * The run can only go on once one of these message events gets a message
   * through its inbox (`adhesive send`, the live view): no task runs, no
   * timer is armed, no source sends. Said again whenever the list changes.
   */
  waitingForMessages?(run: RunInfo, waits: readonly MessageWait[]): void;
}

/** A message event a run waits at. */
export interface MessageWait {
  /** the catch, boundary or receive element's id */
  elementId: string;
  /** the element's name (may be empty) */
  name: string;
  /** the name of the message it waits for: what `adhesive send` takes */
  message: string;
}

/**
 * How a run goes: its initial data, pool, folders, journal, clock, user
 * interface and reporters. Every option is optional; the configuration
 * file (`adhesive.yaml`, see docs/configuration.md) gives the CLI's
 * defaults.
 */
export interface RunOptions<D extends object = Data> {
  /** the data the run starts with (of the process data's type, or part of it) */
  initialData?: NoInfer<Partial<D>>;
  /** bpmnBuild of a file with several processes (pools): run only this one, by id or name */
  process?: string;
  /** implicit joins at tasks (default true) */
  waitTasks?: boolean;
  /** aborting it stops the run: running tasks are cancelled (their ctx.signal fires) and the run rejects with a CancelledError */
  signal?: AbortSignal;
  /** tasks running at once (default: 32 or the CPU count if more; with `parallelProcessing: "worker"`, the CPU count: one worker thread each) */
  poolSize?: number;
  /** answers user tasks (default: the terminal on a TTY) */
  ui?: UiProvider;
  /** hears of the run's tasks as they start and end (the CLI's task lines are one) */
  reporter?: RunReporter;
  /** where run folders go (default: OS temp dir + /adhesive) */
  tempFolder?: string;
  /** message events in flight before sources are paused (default 1000) */
  maxEventsInFlight?: number;
  /** events a messageCallback may emit without awaiting while maxEventsInFlight are running, before the run fails (default 100000) */
  maxEventsBuffered?: number;
  /** also print what tasks print (their commands and console calls) live, each line prefixed with the task name; it is always kept in the run's logs folder */
  stdout?: boolean;
  /**
   * "worker": task() functions run in a pool of poolSize worker threads that
   * import `processFile` (CPU-bound tasks use every core; their data must be
   * structured-clone friendly). User tasks, tasks in lanes with a lane()
   * function and scripts stay in the main thread. Default "async".
   */
  parallelProcessing?: "async" | "worker";
  /** the process file the worker threads import (the CLI sets it) */
  processFile?: string;
  /** the run fails with a TaskLimitError once it has started this many tasks (a cycle that never ends); default: no limit */
  taskLimit?: number;
  /** time for timer events (default the system clock; `new SimulatedClock()` in tests) */
  clock?: Clock;
  /**
   * The run's id (ctx.executionId). If the runs folder has a journal for it,
   * the run continues from there instead of starting again (see `retry` and
   * `force`); otherwise a new run starts under this id. Default: a new UUID.
   */
  runId?: string;
  /** false: no journal (the run cannot be resumed); for benchmarks and embedders who want none. Default true */
  journal?: boolean;
  /** where run folders (journal, logs) go; default `.adhesive/runs` of the working directory (config runs_folder) */
  runsFolder?: string;
  /** fsync the journal after each write, for machines that may lose power (config journal_fsync); default false */
  journalFsync?: boolean;
  /**
   * Runs of the runs folder that ended to keep (config keep_runs; default
   * 20): as a run starts (at most once a minute per runs folder in a
   * process), the older ones are removed with their workspaces, beside it.
   */
  keepRuns?: number;
  /**
   * How long this process's claim on the run lasts without being renewed
   * (it is renewed three times as often while the process runs): another
   * process may take the run over once it has run out, e.g. while this one
   * is stopped (SIGSTOP). A runner that died is taken over at once. Default 10000.
   */
  ownerLeaseMs?: number;
  /**
   * The journal file grows by this many bytes before a snapshot starts it
   * anew (as soon as the run is empty: every message instance ended; see
   * the README's Durable runs). Default 64 MiB.
   */
  journalSnapshotBytes?: number;
  /** continuing a run that failed: run its failed task again (like retrying an incident) */
  retry?: boolean;
  /** continue even though the process or its implementations changed where the run's tokens stand */
  force?: boolean;
  /**
   * A live web view of the run on 127.0.0.1 (one server per process, shared
   * by its runs): the diagram with live counts, the runs list, user-task
   * forms. `true` takes a free port and prints the URL (with its access
   * token) on stderr. Turns the inbox on.
   */
  liveView?: boolean | LiveViewOptions;
  /**
   * A control socket in the run's folder, so `adhesive send` and `adhesive
   * complete` from another process reach the run (the CLI turns it on).
   */
  inbox?: boolean;
  /**
   * A store (docs/scale-out.md): the run's journal, lease and registry entry
   * live in Redis, a standby takes the run over if this process dies, and
   * the tasks of lanes mapped to pools run on `adhesive worker`s (config
   * store, pools, lease_ttl_ms, keep_results_s, schedule_to_start_ms).
   */
  store?: StoreOptions;
}

/** The run on a Redis store (RunOptions.store): its lease, journal stream and the pools of workers its remote lanes use (docs/scale-out.md). */
export interface StoreOptions {
  /** redis://host[:port][/db] */
  url: string;
  /** lane patterns (matched against the whole lane name) and the pool whose workers run their tasks, first match first */
  pools?: ReadonlyArray<{
    /** a regular expression matched against the whole lane name */
    readonly lane: string;
    /** the pool whose `adhesive worker`s take the lane's tasks */
    readonly pool: string;
  }>;
  /** how long the run's lease lasts without renewal: a standby takes it over after it (default 10000) */
  leaseTtlMs?: number;
  /** how long finished jobs and their results are kept (default 86400) */
  keepResultsS?: number;
  /** a job that waits longer than this for a worker says so (default: never) */
  scheduleToStartMs?: number;
  /** @internal a standby's claim of the run, which this process takes over instead of claiming the run itself (adhesive serve) */
  handover?: StoreHandover;
}

/** Where the live view listens and who is told its address (RunOptions.liveView). */
export interface LiveViewOptions {
  /** default: a free port */
  port?: number;
  /** told the page's URL, access token included (default: printed on stderr) */
  onUrl?: (url: string) => void;
}

/** A lane yields the workspace its tasks run in, then tears it down when the generator resumes. */
export type LaneFunction<D extends object = Data> = (ctx: Context<D>, ...groups: string[]) => AsyncGenerator<Workspace, void, unknown>;
