import type { TaskContext } from "../engine/context.js";
import type { NodeRunner } from "../engine/engine.js";
import type { Feeder } from "../engine/options.js";
import type { Feeds } from "./feeds.js";
import type { GraphNode } from "../model/graph.js";
import { resolveRendered, type NodeBinding } from "../tasks/binding.js";
import { groupsFor } from "../tasks/matcher.js";
import type { Declaration } from "../tasks/registry.js";
import { answersAsData, UiBuilder, type UiProvider } from "../ui/form.js";
import type { Context, LoopInfo, TaskFunction, UserTaskFunction } from "../api/types.js";
import type { WorkerPool } from "../workers/pool.js";
import type { RemoteTasks } from "../store/remote-tasks.js";
import type { DataChanges, PlainLoop } from "../workers/protocol.js";
import type { LocalWorkspace } from "../workspaces/local.js";
import type { Token } from "../engine/token.js";
import type { Lanes } from "../lanes/lanes.js";
import { compileExpression, type CompiledExpression } from "../model/expression.js";
import { callUntilReturn, outsideTasks, taskReturned, taskSettled, withOutput, withOutputUntilReturn } from "../logs/console-capture.js";
import type { RunLogs } from "../logs/run-logs.js";
import { TaskOutput } from "../logs/task-output.js";
import { InterruptedTaskError } from "../errors.js";
import { BoundExtras } from "./bound-extras.js";
import type { TimerSchedule } from "../model/timer.js";
import { userContext } from "./user-context.js";

/** Calls the user's functions for the engine: picks the implementation, its regex groups and the workspace. */
export class TaskRunner implements NodeRunner {
  private readonly bindings: Array<NodeBinding | undefined>;
  private readonly workspace: LocalWorkspace;
  private readonly ui: UiProvider;
  private readonly source: string;
  private readonly lanes: Lanes | undefined;
  private readonly logs: RunLogs;
  private readonly dedupKeys: Array<CompiledExpression | undefined>;
  private readonly workers: WorkerPool | undefined;
  private readonly declarationIndex: ReadonlyMap<Declaration, number>;
  private readonly extras: BoundExtras;
  private readonly staticGroups: Array<string[] | undefined>;
  private readonly feeds: Feeds;
  /* per node: its function returned synchronously last time (see withOutputUntilReturn) */
  private readonly returnedSync: Uint8Array;
  /* per node: its task() function, once a call found that calling it is all invoke() does (a name without placeholders, no regex groups, no onInterrupted: "fail") */
  private readonly plain: Array<TaskFunction | undefined>;
  private readonly remote: RemoteTasks | undefined;

  constructor(source: string, nodeCount: number, bindings: readonly NodeBinding[], workspace: LocalWorkspace, ui: UiProvider, lanes: Lanes | undefined, logs: RunLogs, feeds: Feeds, workers?: { pool: WorkerPool; declarations: readonly Declaration[] }, remote?: RemoteTasks) {
    this.feeds = feeds;
    this.remote = remote;
    this.workers = workers?.pool;
    this.declarationIndex = new Map((workers?.declarations ?? []).map((declaration, index) => [declaration, index]));
    this.lanes = lanes;
    this.logs = logs;
    this.source = source;
    this.bindings = new Array<NodeBinding | undefined>(nodeCount);
    this.staticGroups = new Array<string[] | undefined>(nodeCount);
    this.returnedSync = new Uint8Array(nodeCount);
    this.plain = new Array<TaskFunction | undefined>(nodeCount);
    // message declarations bind to events too, but they are sources: only task implementations run here
    for (const binding of bindings) if (binding.candidates.some(runsAsTask)) this.bindings[binding.node.index] = binding;
    this.workspace = workspace;
    this.ui = ui;
    this.dedupKeys = dedupKeys(nodeCount, bindings);
    this.extras = new BoundExtras(bindings, this.ui);
  }

  loop(node: GraphNode): { expression: CompiledExpression; sequential: boolean } | undefined {
    return this.extras.loop(node, this.bindings[node.index]);
  }

  schedule(node: GraphNode): TimerSchedule | undefined {
    return this.extras.schedule(node);
  }

  condition(node: GraphNode): CompiledExpression | undefined {
    return this.extras.condition(node);
  }

  fedFromOutside(node: GraphNode): boolean {
    return this.extras.sends(node);
  }

  feeder(node: GraphNode): Feeder | undefined {
    return this.feeds.feeder(node);
  }

  deduplicate(node: GraphNode): CompiledExpression | undefined {
    return this.dedupKeys[node.index];
  }

  implements(node: GraphNode): boolean {
    return this.bindings[node.index] !== undefined || BoundExtras.showsForm(node);
  }

  run(task: TaskContext, node: GraphNode, token: Token): unknown {
    const result = this.start(task, node, token);
    const async = result !== null && typeof result === "object" && typeof (result as PromiseLike<unknown>).then === "function";
    this.returnedSync[node.index] = async ? 0 : 1;
    taskReturned(async);
    return result;
  }

  private start(task: TaskContext, node: GraphNode, token: Token): unknown {
    const ctx = userContext(task);
    if (this.remote !== undefined) {
      const pool = this.remote.poolOf(ctx.lane);
      // only task() functions run on workers: a user task's form and its answer belong to the orchestrator
      if (pool !== undefined && this.bindings[node.index] !== undefined && this.resolve(node, ctx.taskName).kind === "task") return this.remote.run(ctx, task.seq, pool, token.ref.data, node.decides, this.lanes?.remoteInstance(token, task.seq), task);
    }
    // the workspace view (made on first use) and the log follow this task: its commands die with its token
    const lane = this.lanes?.workspaceFor(token, ctx);
    if (lane === undefined) {
      if (this.workers !== undefined) return this.dispatch(task, node, token, this.workers);
      return this.call(task, ctx, node);
    }
    return lane.then((workspace) => {
      task.workspace = workspace.forTask(this.outputOf(task));
      return withOutput(task, this.invoke, ctx, node);
    });
  }

  settled(): void {
    taskSettled();
  }

  /* a function that returned synchronously last time is called without entering the async context; the context is the task's sink either way (TaskContext.write) */
  private call(task: TaskContext, ctx: Context, node: GraphNode): unknown {
    if (this.returnedSync[node.index] === 0) return withOutput(task, this.invoke, ctx, node);
    const plain = this.plain[node.index];
    return plain === undefined ? withOutputUntilReturn(task, this.invoke, ctx, node) : callUntilReturn(task, plain, ctx);
  }

  write(task: TaskContext, text: string): void {
    this.outputOf(task).write(text);
  }

  /* the task's output: its log, and the io of its workspace's commands; made when it first prints, starts a command or awaits */
  private outputOf(task: TaskContext): TaskOutput {
    return (task.io ??= new TaskOutput(this.logs, task)) as TaskOutput;
  }

  /** The run's workspace as the task sees it (asked when it first reads ctx.workspace; a lane's task was given its lane's): its commands write to the task's output and die with its token. */
  workspaceOf(task: TaskContext): unknown {
    return this.workspace.forTask(this.outputOf(task));
  }


  /* an arrow property: passed to withOutput without a closure per task */
  private readonly invoke = (ctx: Context, node: GraphNode): unknown => {
    if (this.bindings[node.index] === undefined) return this.extras.askForm(ctx, node);
    const declaration = this.resolve(node, ctx.taskName);
    // the option first: ctx.resumed asks the run for the attempt
    if (declaration.options.onInterrupted === "fail" && ctx.resumed) throw new InterruptedTaskError(ctx.taskName, node.id, ctx.attempt);
    const groups = this.groupsOf(declaration, node, ctx.taskName);
    if (declaration.kind === "userTask") return this.runUserTask(ctx, declaration.fn as UserTaskFunction, groups);
    if (groups.length === 0 && !node.template.dynamic && declaration.options.onInterrupted !== "fail") this.plain[node.index] = declaration.fn as TaskFunction;
    // most names have no regex groups: a spread call costs more than the task
    return groups.length === 0 ? (declaration.fn as TaskFunction)(ctx) : (declaration.fn as TaskFunction)(ctx, ...groups);
  };

  /**
   * parallel_processing: worker: a task() function runs in a worker thread
   * with a copy of the data, which then replaces the token's data. Other
   * kinds (user tasks) need the main thread.
   */
  private dispatch(task: TaskContext, node: GraphNode, token: Token, workers: WorkerPool): unknown {
    const ctx = userContext(task);
    const declaration = this.bindings[node.index] === undefined ? undefined : this.resolve(node, ctx.taskName);
    // a decision is what the function returns, which a worker thread does not send back
    if (declaration?.kind !== "task" || node.decides || (ctx.resumed && declaration.options.onInterrupted === "fail")) {
      return this.call(task, ctx, node);
    }
    const job = {
      index: this.declarationIndex.get(declaration)!,
      label: declaration.label,
      groups: this.groupsOf(declaration, node, ctx.taskName),
      task: { ...ctx.task },
      taskName: ctx.taskName,
      // the token's data as it is: ctx.data is a view that cannot cross threads
      data: token.ref.data,
      loop: plainLoop(ctx.loop),
      lane: ctx.lane,
      executionId: ctx.executionId,
      tokenId: ctx.tokenId,
      attempt: ctx.attempt,
      idempotencyKey: ctx.idempotencyKey,
      pwd: this.workspace.pwd,
    };
    return workers.run(job, this.outputOf(task), task.signal).then((changes) => applyChanges(ctx.data, changes));
  }

  /* a name without placeholders has the same groups every time: matched once per node, not per call (spread into the call, so a task cannot change the cached array) */
  private groupsOf(declaration: Declaration, node: GraphNode, taskName: string): string[] {
    if (node.template.dynamic) return groupsFor(declaration.patterns, taskName, node.name);
    return (this.staticGroups[node.index] ??= groupsFor(declaration.patterns, taskName, node.name));
  }

  /** A name with placeholders is matched again once rendered: `Build {loop.value}` may run `task("Build linux")`. */
  private resolve(node: GraphNode, taskName: string): Declaration {
    const binding = this.bindings[node.index]!;
    if (!node.template.dynamic && binding.declaration) return binding.declaration;
    return resolveRendered(binding, taskName, this.source);
  }

  private async runUserTask(ctx: Context, fn: UserTaskFunction, groups: string[]): Promise<void> {
    const ui = new UiBuilder(ctx.taskName, { elementId: ctx.task.id, tokenId: ctx.tokenId });
    await fn(ctx, ui, ...groups);
    // the prompts draw on the terminal, not into the task's log
    const form = ui.finish();
    const answers = await outsideTasks(() => this.ui.ask(form, ctx.signal));
    Object.assign(ctx.data, answersAsData(form, answers));
  }
}

function runsAsTask(declaration: Declaration): boolean {
  return declaration.kind === "task" || declaration.kind === "userTask";
}

/* A deduplicate expression is compiled once per bound node; a syntax error is a load-time problem naming the task. */
function dedupKeys(nodeCount: number, bindings: readonly NodeBinding[]): Array<CompiledExpression | undefined> {
  const keys = new Array<CompiledExpression | undefined>(nodeCount);
  for (const { node, declaration } of bindings) {
    const text = declaration?.options.deduplicate;
    if (text !== undefined) keys[node.index] = compileExpression(text, node.id);
  }
  return keys;
}

function plainLoop(loop: LoopInfo | undefined): PlainLoop | undefined {
  if (loop === undefined) return undefined;
  return { index: loop.index, key: loop.key, value: loop.value, expression: loop.expression, parent: plainLoop(loop.parent) };
}

/* through the task's view, so the engine sees the worker's changes as the task's own */
function applyChanges(data: Record<string, unknown>, changes: DataChanges): void {
  for (const key of changes.deleted) delete data[key];
  for (const key of Object.keys(changes.set)) data[key] = changes.set[key];
}
