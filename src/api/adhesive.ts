import { linearDefinition, type LinearTask } from "../builder/linear.js";
import { ProcessBuilder } from "../builder/process-builder.js";
import type { ProcessOptions } from "../builder/options.js";
import type { Data } from "../engine/data.js";
import type { ProcessDefinition } from "../model/definition.js";
import { Registry, type Matcher } from "../tasks/registry.js";
import { conditionExpression, timerSchedule, type TimerValue } from "../model/declared-values.js";
import { locateBpmn, readLocatedBpmn } from "./bpmn-path.js";
import { layerOptions, RunSession, withDataOverride } from "./run-session.js";
import { readJournalHeader } from "../journal/reader.js";
import { journalFileOf } from "../runtime/run-record.js";
import type { GatewayName, JobType, MessageName, TaskName, UserTaskName } from "./process-names.js";
import type { LaneFunction, MessageCallbackFunction, MessageFunction, RunOptions, TaskFunction, UserTaskFunction } from "./types.js";

/**
 * An isolated set of task implementations with the ways to run processes
 * against them. The package's top-level functions use a default instance;
 * embedders and tests create their own.
 */
export class Adhesive {
  /** @internal the implementations declared on this instance, in declaration order */
  readonly registry = new Registry();
  /**
   * Options every run of this instance starts from (a call's own options
   * win). Under the CLI they go over the CLI's (its reporter and
   * interrupt signal are kept alongside a reporter or signal given here).
   */
  defaults: RunOptions = {};
  /** Merged over the initialData of every run of this instance (its keys win; null removes one). The CLI's `--data` goes over it, for every instance. */
  dataOverride: Data | undefined;

  /**
   * Implements process elements: tasks of every kind, receive tasks, message
   * throw events, and the loop of a sub-process of that name (see the
   * top-level `task()`). `matcher` is a name (with `{loop.value}`-style
   * placeholders), a list of names, or MatcherOptions; `fn` gets the task's
   * context and the regular expression's groups. Returns the instance, to
   * chain declarations.
   */
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

  /** Implements a user task: `fn` builds its form with `ui.addInputText()`, `ui.addCombobox()`, ...; the answers land in `ctx.data` (see the top-level `usertask()`). */
  usertask<D extends object = Data>(matcher: Matcher<UserTaskName>, fn: UserTaskFunction<D>): this {
    this.registry.add("userTask", matcher, fn);
    return this;
  }

  /** A source of message events for the message start, catch and boundary events of that name: a generator whose every value is one event (see the top-level `message()`). */
  message<D extends object = Data>(matcher: Matcher<MessageName>, fn: MessageFunction<D>): this {
    this.registry.add("message", matcher, fn);
    return this;
  }

  /** A source of message events driven by callbacks: `fn(ctx, emit)` calls `emit(event)` for each event (see the top-level `messageCallback()`). */
  messageCallback<D extends object = Data>(matcher: Matcher<MessageName>, fn: MessageCallbackFunction<D>): this {
    this.registry.add("messageCallback", matcher, fn);
    return this;
  }

  /** Says what a lane is: an async generator that sets up a workspace, yields it for the lane's tasks, and tears it down after the yield (see the top-level `lane()`). */
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
    const load = { process: options?.process };
    return RunSession.current().start(location.path, () => readLocatedBpmn(location, load), this.registry, this.options(options)) as Promise<D>;
  }

  /** Starts a process built in code: `processStart({ name }).task("A").processEnd().build()`; see docs/builder.md. */
  processStart(options?: ProcessOptions): ProcessBuilder<RunOptions> {
    return new ProcessBuilder<RunOptions>((definition, options) => this.run(definition, options), options);
  }

  /** Runs any process definition (from a file, a builder or your own code). */
  async run<D extends object = Data>(definition: ProcessDefinition, options?: RunOptions<D>): Promise<D> {
    return RunSession.current().start(definition.source, () => Promise.resolve(definition), this.registry, this.options(options)) as Promise<D>;
  }

  /**
   * Continues a run from its journal (in `runsFolder`), with the process
   * definition the journal recorded and the implementations registered
   * here. To continue with a changed BPMN file, call bpmnBuild(file, { runId }).
   */
  async resume<D extends object = Data>(runId: string, options?: RunOptions<D>): Promise<D> {
    const merged = await RunSession.current().runOptions(this.options(options));
    // the header alone: the run reads the whole journal once it has the process
    const header = await readJournalHeader(journalFileOf(merged, runId));
    return this.run(header.definition, { ...options, runId });
  }

  /* the process data's type is the caller's claim: from here on the run holds plain data */
  private options<D extends object>(options: RunOptions<D> | undefined): RunOptions {
    return withDataOverride(layerOptions(this.defaults, options as RunOptions | undefined), this.dataOverride);
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
