/**
 * adhesive: a fast, lightweight BPMN process runner. This file is the whole
 * public API; everything else under src/ is internal.
 */
import { Adhesive } from "./api/adhesive.js";
import type { Matcher } from "./tasks/registry.js";
import type { TimerValue } from "./model/declared-values.js";
import type { LaneFunction, MessageCallbackFunction, MessageFunction, RunOptions, TaskFunction, UserTaskFunction } from "./api/types.js";
import type { Data } from "./engine/data.js";
import type { ProcessDefinition } from "./model/definition.js";
import type { ProcessOptions } from "./builder/options.js";
import type { GatewayName, JobType, MessageName, TaskName, UserTaskName } from "./api/process-names.js";

export { Adhesive } from "./api/adhesive.js";
export type {
  Context,
  Data,
  FailedElement,
  ImplementationInfo,
  LaneFunction,
  LiveViewOptions,
  LoopInfo,
  MessageCallbackFunction,
  MessageFunction,
  MessageWait,
  RunOptions,
  RunInfo,
  RunReporter,
  StoreOptions,
  TaskFunction,
  TaskNodeInfo,
  UserTaskFunction,
} from "./api/types.js";
export type { Matcher, MatcherOptions } from "./tasks/registry.js";
export type { ProcessNames, TaskName, UserTaskName, MessageName, GatewayName, JobType } from "./api/process-names.js";
export type { TimerValue } from "./model/declared-values.js";
export type {
  ProcessDefinition,
  NodeDefinition,
  FlowDefinition,
  ScopeDefinition,
  LoopDefinition,
  NodeKind,
  CallDataDefinition,
  CalledProcessDefinition,
  FormFieldDefinition,
  MappingDefinition,
  MessageFlowDefinition,
  ScriptDefinition,
  TimerDefinition,
  TimerKind,
} from "./model/definition.js";
export {
  AdhesiveError,
  BpmnError,
  InvalidBpmnError,
  CancelledError,
  DataError,
  InterruptedError,
  InterruptedTaskError,
  ExpressionError,
  ProcessExitError,
  RoutingError,
  LoopError,
  StalledError,
  TaskError,
  TaskLimitError,
  UnmappedTaskError,
  UsageError,
  type BpmnProblem,
  type CallRecord,
  type MappingProblem,
} from "./errors.js";
export type { ProcessBuilder } from "./builder/process-builder.js";
export type { BuiltProcess } from "./builder/built-process.js";
export type { ProcessOptions, SubProcessOptions, CallOptions, BoundaryOptions } from "./builder/options.js";
export type { GatewayPaths, EventPaths, PathBuilder } from "./builder/paths.js";
export type { StepOptions, LoopOption } from "./builder/linear.js";
export { MissingPackageError } from "./optional-package.js";
export { loadBpmn, type LoadOptions } from "./bpmn/read.js";
export { SimulatedClock } from "./engine/simulated-clock.js";
export type { Clock } from "./engine/clock.js";
/**
 * Writes a process definition as BPMN 2.0 XML with a diagram, so a process built in code opens in any modeler and
 * loadBpmn() reads it back to the same definition (src/bpmn/write.ts, loaded with the first call).
 */
export async function toBpmnXml(definition: ProcessDefinition): Promise<string> {
  return (await import("./bpmn/write.js")).toBpmnXml(definition);
}
export { scriptedUi, type ScriptedAnswers } from "./ui/scripted.js";
export { terminalUi, type TerminalUiOptions } from "./ui/terminal.js";
export { UiBuilder, type UiProvider, type UserTaskForm, type FormField, type FieldKind, type FieldOptions, type Choice } from "./ui/form.js";
export type { Workspace, CommandOptions, TaskIo, OutputSink, OutputStream } from "./workspaces/workspace.js";
export { LaneError } from "./lanes/lanes.js";
export { remote } from "./lanes/remote.js";
export { BackpressureError } from "./runtime/inlet.js";
export { keyed, KeyedEvent } from "./api/keyed.js";
export { NoCorrelationKeyError } from "./runtime/source-delivery.js";
export { ResumeError } from "./runtime/run-record.js";
export { ReplayDivergedError } from "./engine/replay.js";
export { JournalError } from "./journal/journal-error.js";
export { OwnerLostError } from "./runs/owner/lease.js";
export { RunFolderError } from "./runs/folder-error.js";
export { RunNotFoundError } from "./runs/find.js";
export { fromInbox } from "./inbox/from-inbox.js";
export { InboxError, FormAnsweredError } from "./inbox/inbox-error.js";
export { closeLiveView } from "./web/live-view.js";
export { CommandError } from "./workspaces/command-error.js";
export { docker, kube, scm, ssh } from "./api/workspace-kinds.js";
export type { DockerOptions, DockerWorkspace } from "./workspaces/docker.js";
export type { DockerBuildOptions, DockerBuildResult } from "./workspaces/docker-build.js";
export type { KubeOptions, KubeWorkspace } from "./workspaces/kube.js";
export { KubeApiError } from "./workspaces/kube-api.js";
export type { KubeApi, KubeApiOptions, KubeListOptions, KubeMetadata, KubeNamespaceOption, KubeObject, KubeSelector } from "./workspaces/kube-api.js";
export type { CheckoutOptions } from "./workspaces/checkout.js";
export { SshConnectError, SshError } from "./workspaces/ssh/errors.js";
export type { SshOptions } from "./workspaces/ssh/options.js";
export type { SshWorkspace } from "./workspaces/ssh/workspace.js";
export { withSecret, SecretError, type SecretErrorCode, type WithSecretOptions } from "./secrets/secrets.js";
export { redact } from "./secrets/redact.js";
export { loadConfig, ConfigError, type Config, type ConfigField, type ConfigProblem, type LoadConfigOptions } from "./config/load.js";

/** The instance behind the top-level functions: `task()` is `defaultAdhesive.task()`. Create your own `new Adhesive()` to keep implementations apart. */
export const defaultAdhesive = new Adhesive();

/**
 * Implements process elements: tasks of every kind, receive tasks, message
 * throw events, and the loop of a sub-process of that name. `matcher` is a
 * name (with `{loop.value}`-style placeholders), a list of names, or
 * `{ name, re, type, loop, when, lane, deduplicate, onInterrupted }`;
 * `type` matches a service task's job type. `fn` gets the task's context
 * (`ctx.data`, `ctx.workspace`, `ctx.loop`, ...) and the regular
 * expression's groups; what it sets in `ctx.data` is the task's result.
 * An element matched by none or by two implementations fails the run before
 * anything runs.
 *
 * @example task("Build {loop.value}", async (ctx) => { await ctx.workspace.run(`make ${ctx.loop!.value}`); });
 * @example task<OrderData>("Ship", (ctx) => { ctx.data.shipped = true; }); // ctx.data is an OrderData
 */
export function task<D extends object = Data>(matcher: Matcher<TaskName, JobType>, fn: TaskFunction<D>): void {
  defaultAdhesive.task(matcher, fn);
}

/** Implements a gateway: `task()` for gateways. For an exclusive gateway whose flows carry no conditions, `fn` returns the flow to take (its name, its target's name, or either's id). */
export function gateway<D extends object = Data>(matcher: Matcher<GatewayName>, fn: TaskFunction<D>): void {
  defaultAdhesive.gateway(matcher, fn);
}

/** The value of a timer event drawn without one: `timer("Wait a day", "P1D")` (a duration, cycle, cron expression, date or milliseconds). */
export function timer(matcher: Matcher, value: TimerValue): void {
  defaultAdhesive.timer(matcher, value);
}

/** The condition of conditional events drawn without one: `condition("Stock low", "stock < 10")`. */
export function condition(matcher: Matcher, expression: string): void {
  defaultAdhesive.condition(matcher, expression);
}

/** Implements a user task: `fn` builds its form with `ui.addInputText()`, `ui.addCombobox()`, `ui.addDefaultButton()`, ...; the answers land in `ctx.data`. The form is shown on the terminal, the live view, or answered by `adhesive complete` or `scriptedUi()`. */
export function usertask<D extends object = Data>(matcher: Matcher<UserTaskName>, fn: UserTaskFunction<D>): void {
  defaultAdhesive.usertask(matcher, fn);
}

/** A source of message events for the message start, catch and boundary events of that name: a generator or async generator whose every value is one event (`data.event` where it arrives). `fromInbox` declares events that only `adhesive send` delivers. */
export function message<D extends object = Data>(matcher: Matcher<MessageName>, fn: MessageFunction<D>): void {
  defaultAdhesive.message(matcher, fn);
}

/** A source of message events driven by callbacks: `fn(ctx, emit)` calls `emit(event)` for each event (await it to respect `maxEventsInFlight`). */
export function messageCallback<D extends object = Data>(matcher: Matcher<MessageName>, fn: MessageCallbackFunction<D>): void {
  defaultAdhesive.messageCallback(matcher, fn);
}

/** Says what a lane is: an async generator that sets up a workspace, yields it for the tasks in the lane, and tears it down (after the yield) when the last token leaves the lane. */
export function lane<D extends object = Data>(matcher: Matcher, fn: LaneFunction<D>): void {
  defaultAdhesive.lane(matcher, fn);
}

/** Runs the declared tasks one after the other, in declaration order, and resolves to the final data. */
export function build<D extends object = Data>(options?: RunOptions<D>): Promise<D> {
  return defaultAdhesive.build(options);
}

/** Runs a process drawn in a BPMN file; a relative path is resolved against the folder of the file that calls bpmnBuild. */
export function bpmnBuild<D extends object = Data>(file: string | URL, options?: RunOptions<D>): Promise<D> {
  return defaultAdhesive.bpmnBuild(file, options);
}

/** Continues an interrupted run from its journal (see Adhesive.resume). */
export function resume<D extends object = Data>(runId: string, options?: RunOptions<D>): Promise<D> {
  return defaultAdhesive.resume(runId, options);
}

/** Starts a process built in code: `processStart().task("A").branchStart()...branchEnd().processEnd().build()`. */
export function processStart(options?: ProcessOptions): ReturnType<Adhesive["processStart"]> {
  return defaultAdhesive.processStart(options);
}
