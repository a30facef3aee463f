import { linearDefinition, type LinearTask } from "../builder/linear.js";
import { ProcessBuilder } from "../builder/process-builder.js";
import type { ProcessOptions } from "../builder/options.js";
import type { Data } from "../engine/data.js";
import type { ProcessDefinition } from "../model/definition.js";
import { Registry, type Matcher } from "../tasks/registry.js";
import { conditionExpression, timerSchedule, type TimerValue } from "../model/declared-values.js";
import { runDefinition } from "../runtime/run.js";
import { cloneValue } from "../engine/clone.js";
import { newRef } from "../engine/data.js";
import { mergeInto } from "../engine/merge.js";
import { locateBpmn, readLocatedBpmn } from "./bpmn-path.js";
import { verifyRecorder } from "./verify-mode.js";
import { started } from "./started-runs.js";
import { claimResume } from "./resume-target.js";
import { readJournalHeader } from "../journal/reader.js";
import { journalFileOf } from "../runtime/run-record.js";
import type { GatewayName, JobType, MessageName, TaskName, UserTaskName } from "./process-names.js";
import type { LaneFunction, MessageCallbackFunction, MessageFunction, RunOptions, RunReporter, TaskFunction, UserTaskFunction } from "./types.js";

let workerMode: (() => void) | undefined;

/**
 * In a worker thread of parallel_processing: worker, the process file is
 * imported only for its task() declarations: every run never settles and
 * the first one calls `onProcessStart` (by then the tasks are registered).
 */
export function enterWorkerMode(onProcessStart: () => void): void {
  workerMode = onProcessStart;
}

/**
 * An isolated set of task implementations with the ways to run processes
 * against them. The package's top-level functions use a default instance;
 * embedders and tests create their own.
 */
export class Adhesive {
  readonly registry = new Registry();
  /** options every run of this instance starts from (the CLI sets the reporter here) */
  defaults: RunOptions = {};
  /** `adhesive --data`: merged over the initialData of every run (its keys win; null removes one) */
  dataOverride: Data | undefined;

  task<D extends object = Data>(matcher: Matcher<TaskName, JobType>, fn: TaskFunction<D>): this {
    this.registry.add("task", matcher, fn);
    return this;
  }

  /** A gateway implementation runs before the gateway routes; same as task(). */
  gateway<D extends object = Data>(matcher: Matcher<GatewayName>, fn: TaskFunction<D>): this {
    return this.task(matcher, fn);
  }

  /** The value of timer events drawn without one (descriptive models): a duration, cycle, cron expression, date or milliseconds. */
  timer(matcher: Matcher, value: TimerValue): this {
    const schedule = timerSchedule(value, matcher);
    this.registry.add("timer", matcher, () => schedule);
    return this;
  }

  /** The condition of conditional events drawn without one: a JavaScript or FEEL (`=...`) expression, as in the file. */
  condition(matcher: Matcher, expression: string): this {
    const compiled = conditionExpression(expression, matcher);
    this.registry.add("condition", matcher, () => compiled);
    return this;
  }

  usertask<D extends object = Data>(matcher: Matcher<UserTaskName>, fn: UserTaskFunction<D>): this {
    this.registry.add("userTask", matcher, fn);
    return this;
  }

  message<D extends object = Data>(matcher: Matcher<MessageName>, fn: MessageFunction<D>): this {
    this.registry.add("message", matcher, fn);
    return this;
  }

  messageCallback<D extends object = Data>(matcher: Matcher<MessageName>, fn: MessageCallbackFunction<D>): this {
    this.registry.add("messageCallback", matcher, fn);
    return this;
  }

  lane<D extends object = Data>(matcher: Matcher, fn: LaneFunction<D>): this {
    this.registry.add("lane", matcher, fn);
    return this;
  }

  /** Runs the declared tasks one after the other, in declaration order. */
  build<D extends object = Data>(options?: RunOptions<D>): Promise<D> {
    return this.run(linearDefinition(this.linearTasks()), options);
  }

  /** Runs a process drawn in a BPMN file; a relative path is resolved against the folder of the calling file. */
  async bpmnBuild<D extends object = Data>(file: string | URL, options?: RunOptions<D>): Promise<D> {
    const location = locateBpmn(file);
    const recorder = verifyRecorder();
    const load = { process: options?.process };
    if (recorder) return recorder.record(location.path, () => readLocatedBpmn(location, load), this.registry, this.options(options).initialData) as Promise<D>;
    // a file that cannot be read is that run's failure, so it counts as started
    return this.run(await started(readLocatedBpmn(location, load)), options);
  }

  /** Starts a process built in code: `processStart({ name }).task("A").processEnd().build()`; see docs/builder.md. */
  processStart(options?: ProcessOptions): ProcessBuilder<RunOptions> {
    return new ProcessBuilder<RunOptions>((definition, options) => this.run(definition, options), options);
  }

  /** Runs any process definition (from a file, a builder or your own code). */
  async run<D extends object = Data>(definition: ProcessDefinition, options?: RunOptions<D>): Promise<D> {
    if (workerMode !== undefined) {
      workerMode();
      // a worker thread only needs the file's task() calls: the process runs in the main thread
      return new Promise<D>(() => undefined);
    }
    const recorder = verifyRecorder();
    if (recorder) return recorder.record(definition.source, async () => definition, this.registry, this.options(options).initialData) as Promise<D>;
    return started(runDefinition(definition, this.registry, claimResume(definition, this.options(options)))) as Promise<D>;
  }

  /**
   * Continues a run from its journal (in `runsFolder`), with the process
   * definition the journal recorded and the implementations registered
   * here. To continue with a changed BPMN file, call bpmnBuild(file, { runId }).
   */
  async resume<D extends object = Data>(runId: string, options?: RunOptions<D>): Promise<D> {
    const merged = this.options(options);
    // the header alone: the run reads the whole journal once it has the process
    const header = await readJournalHeader(journalFileOf(merged, runId));
    return this.run(header.definition, { ...options, runId });
  }

  /* the process data's type is the caller's claim: from here on the run holds plain data */
  private options<D extends object>(options: RunOptions<D> | undefined): RunOptions {
    const merged = mergeOptions(this.defaults, options as RunOptions | undefined);
    if (this.dataOverride === undefined) return merged;
    const initialData = newRef(cloneValue(merged.initialData ?? {}));
    mergeInto(initialData, cloneValue(this.dataOverride));
    return { ...merged, initialData: initialData.data };
  }

  private linearTasks(): LinearTask[] {
    const tasks: LinearTask[] = [];
    for (const declaration of this.registry.ofKind(["task", "userTask"])) {
      if (declaration.names.length === 0) continue;
      const { loop, when, lane } = declaration.options;
      tasks.push({ name: declaration.names[0], kind: declaration.kind === "userTask" ? "userTask" : "task", loop, when, lane });
    }
    return tasks;
  }
}

function mergeOptions(defaults: RunOptions, options: RunOptions | undefined): RunOptions {
  const merged: RunOptions = { ...defaults, ...options };
  if (defaults.reporter && options?.reporter && defaults.reporter !== options.reporter) merged.reporter = both(defaults.reporter, options.reporter);
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
