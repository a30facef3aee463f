import type { NodeKind } from "../model/definition.js";
import type { Data } from "./data.js";
import type { LoopContext } from "./loop-context.js";

/** The process element a task function is running for. */
export interface TaskNodeInfo {
  /** the element's id in the file */
  readonly id: string;
  /** its name as drawn, placeholders such as `{loop.value}` not filled in (ctx.taskName has them filled in) */
  readonly name: string;
  /** its kind: "task", "serviceTask", "userTask", "exclusiveGateway", ... */
  readonly type: NodeKind;
}

/** Lets a context create its AbortSignal and its data view only when the task asks for them. */
export interface ContextHost {
  /** the run's id: the same for every context of a run, so it lives here rather than in each */
  readonly executionId: string;
  signalFor(handle: ContextHandle): AbortSignal;
  dataFor(handle: ContextHandle, ctx: TaskContext): Data;
  /** 1, or 2, 3, ... for a task execution run again after the run was interrupted */
  attemptOf(seq: number): number;
  /** the message instance the handle's task runs in; 0 outside one */
  instanceOf(handle: ContextHandle): number;
  /** the task's view of the run's workspace (the engine does not know what a workspace is), made when it first reads ctx.workspace */
  workspaceFor(ctx: TaskContext): unknown;
  /** what the task printed (its console calls, routed by the runtime) */
  write(ctx: TaskContext, text: string): void;
}

/** What a context stands for (the engine's token): the host looks inside; the context itself reads only its id, which never changes. */
export interface ContextHandle {
  readonly id: number;
}

/**
 * The `ctx` handed to task functions. One per task execution; the signal and
 * the data view are created lazily because most tasks never look at them.
 */
export class TaskContext<W = unknown> {
  readonly task: TaskNodeInfo;
  readonly taskName: string;
  readonly loop: LoopContext | undefined;
  readonly lane: string | undefined;
  /** the task execution's number in the run (what its journal calls it) */
  readonly seq: number;
  private readonly host: ContextHost;
  /* what a task makes only when it prints, reads its workspace or its data: one slot for the three, since a parked task holds its context */
  private made: MadeLater | undefined;
  private readonly handle: ContextHandle;

  /* what follows from the handle or the run (attempt, instance, executionId, tokenId) is asked for, not stored: one per task */
  constructor(host: ContextHost, handle: ContextHandle, task: TaskNodeInfo, taskName: string, loop: LoopContext | undefined, lane: string | undefined, seq = 0) {
    this.host = host;
    this.handle = handle;
    this.task = task;
    this.taskName = taskName;
    this.loop = loop;
    this.lane = lane;
    this.seq = seq;
    this.made = undefined;
  }

  /** the runtime's own per-task object (its output and io), made when first needed; the engine never reads it */
  get io(): unknown {
    return this.made?.io;
  }

  set io(io: unknown) {
    this.madeLater().io = io;
  }

  /* built on first use: most tasks never touch their workspace, and the hot path should not pay for one */
  get workspace(): W {
    const made = this.madeLater();
    if (made.workspace === undefined) made.workspace = this.host.workspaceFor(this);
    return made.workspace as W;
  }

  set workspace(workspace: W) {
    this.madeLater().workspace = workspace;
  }

  private madeLater(): MadeLater {
    return (this.made ??= { io: undefined, workspace: undefined, data: undefined });
  }

  /**
   * Where the task's console output goes while its function runs (the
   * runtime's console capture takes the context as the task's sink), so no
   * other object is made per task for it: the run's host writes it to the
   * task's log, made when it first prints.
   */
  write(text: string): void {
    this.host.write(this as TaskContext, text);
  }

  /** 1, or 2, 3, ... when the task runs again because the run was interrupted while it ran */
  get attempt(): number {
    return this.host.attemptOf(this.seq);
  }

  /** the message instance it runs in (the number of the message event that started it), undefined outside one */
  get instance(): number | undefined {
    const instance = this.host.instanceOf(this.handle);
    return instance > 0 ? instance : undefined;
  }

  /** What the context stands for (the engine's token); for the engine's own files. */
  static handleOf(ctx: TaskContext): ContextHandle {
    return ctx.handle;
  }

  /** The run's host of contexts; for the engine's own files. */
  static hostOf(ctx: TaskContext): ContextHost {
    return ctx.host;
  }

  /** the run's id */
  get executionId(): string {
    return this.host.executionId;
  }

  /** the execution token's id: unique in the run, the same from the task's start to its end */
  get tokenId(): number {
    return this.handle.id;
  }

  /** whether this call is a retry after the run was interrupted (attempt > 1) */
  get resumed(): boolean {
    return this.attempt > 1;
  }

  /**
   * The same for every attempt of this task execution and different for any
   * other: the run id, the element, the loop keys and the execution's number
   * in the run, e.g. `3f2c…:deploy[linux]:17`. A task whose side effect must
   * not happen twice passes it to the system it calls.
   */
  get idempotencyKey(): string {
    const keys: string[] = [];
    for (let loop = this.loop; loop !== undefined; loop = loop.parent) keys.unshift(String(loop.key));
    return `${this.executionId}:${this.task.id}${keys.length > 0 ? `[${keys.join("/")}]` : ""}:${this.seq}`;
  }

  get signal(): AbortSignal {
    return this.host.signalFor(this.handle);
  }

  /** this token's data, safe to change: other tokens never see the changes */
  get data(): Data {
    const made = this.madeLater();
    return (made.data ??= this.host.dataFor(this.handle, this as TaskContext));
  }
}

interface MadeLater {
  io: unknown;
  workspace: unknown;
  data: Data | undefined;
}
