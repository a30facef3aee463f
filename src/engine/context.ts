import type { NodeKind } from "../model/definition.js";
import type { Data } from "./data.js";
import type { LoopContext } from "./loop-context.js";

/** The process element a task function is running for. */
export interface TaskNodeInfo {
  readonly id: string;
  readonly name: string;
  readonly type: NodeKind;
}

/** Lets a context create its AbortSignal only when the task asks for it. */
export interface SignalSource {
  signalFor(handle: object): AbortSignal;
}

/**
 * The `ctx` handed to task functions. One per task execution; the signal is
 * created lazily because most tasks never look at it.
 */
export class TaskContext<W = unknown> {
  readonly task: TaskNodeInfo;
  readonly taskName: string;
  readonly data: Data;
  readonly loop: LoopContext | undefined;
  readonly lane: string | undefined;
  readonly executionId: string;
  readonly tokenId: number;
  workspace: W;
  private readonly signals: SignalSource;
  private readonly handle: object;

  constructor(
    signals: SignalSource,
    handle: object,
    task: TaskNodeInfo,
    taskName: string,
    data: Data,
    loop: LoopContext | undefined,
    lane: string | undefined,
    executionId: string,
    tokenId: number,
  ) {
    this.signals = signals;
    this.handle = handle;
    this.task = task;
    this.taskName = taskName;
    this.data = data;
    this.loop = loop;
    this.lane = lane;
    this.executionId = executionId;
    this.tokenId = tokenId;
    this.workspace = undefined as W;
  }

  get signal(): AbortSignal {
    return this.signals.signalFor(this.handle);
  }
}
