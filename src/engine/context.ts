import type { NodeKind } from "../model/definition.js";
import type { Data } from "./data.js";
import type { LoopContext } from "./loop-context.js";

/** The process element a task function is running for. */
export interface TaskNodeInfo {
  readonly id: string;
  readonly name: string;
  readonly type: NodeKind;
}

/** Anything that gives a task its own view of a workspace (the engine does not know what a workspace is). */
export interface WorkspaceSource<W, I = unknown> {
  forTask(io: I): W;
}

/** Lets a context create its AbortSignal and its data view only when the task asks for them. */
export interface ContextHost {
  signalFor(handle: object): AbortSignal;
  dataFor(handle: object, ctx: TaskContext): Data;
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
  readonly executionId: string;
  readonly tokenId: number;
  private readonly host: ContextHost;
  private workspaceValue: W | undefined;
  private dataValue: Data | undefined;
  private workspaceSource: WorkspaceSource<W> | undefined;
  private workspaceIo: unknown;
  private readonly handle: object;

  constructor(
    host: ContextHost,
    handle: object,
    task: TaskNodeInfo,
    taskName: string,
    loop: LoopContext | undefined,
    lane: string | undefined,
    executionId: string,
    tokenId: number,
  ) {
    this.host = host;
    this.handle = handle;
    this.task = task;
    this.taskName = taskName;
    this.loop = loop;
    this.lane = lane;
    this.executionId = executionId;
    this.tokenId = tokenId;
    this.workspaceValue = undefined;
    this.dataValue = undefined;
    this.workspaceSource = undefined;
    this.workspaceIo = undefined;
  }

  /* built on first use: most tasks never touch their workspace, and the hot path should not pay for one */
  get workspace(): W {
    if (this.workspaceValue === undefined && this.workspaceSource !== undefined) {
      this.workspaceValue = this.workspaceSource.forTask(this.workspaceIo);
    }
    return this.workspaceValue as W;
  }

  set workspace(workspace: W) {
    this.workspaceValue = workspace;
  }

  /** The workspace is `source.forTask(io)`, made when the task first reads ctx.workspace. */
  provideWorkspace<I>(source: WorkspaceSource<W, I>, io: I): void {
    // the pair is stored untyped and only ever called together, so io always fits source
    this.workspaceSource = source as WorkspaceSource<W>;
    this.workspaceIo = io;
  }

  get signal(): AbortSignal {
    return this.host.signalFor(this.handle);
  }

  /** this token's data, safe to change: other tokens never see the changes */
  get data(): Data {
    return (this.dataValue ??= this.host.dataFor(this.handle, this as TaskContext));
  }
}
