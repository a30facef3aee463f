import { CancelledError } from "../errors.js";
import type { Core } from "./core.js";
import type { ContextHandle, ContextHost, TaskContext } from "./context.js";
import type { Data } from "./data.js";
import { TaskData } from "./task-data.js";
import { TokenState, type Token } from "./token.js";

/** Gives a run's task contexts what they share, and what they make only when a task asks: its AbortSignal and its copy-on-write data view. */
export class TaskHost implements ContextHost {
  readonly executionId: string;
  /** the run whose contexts these are: an asynchronous task's outcome goes to its tasks (tasks.ts) */
  readonly core: Core;

  /** per task seq: the attempt its call is, for tasks in flight when the run was interrupted (set when they run again) */
  attempts: ReadonlyMap<number, number> | undefined;

  constructor(core: Core) {
    this.core = core;
    this.executionId = core.options.executionId;
    this.attempts = undefined;
  }

  attemptOf(seq: number): number {
    return this.attempts?.get(seq) ?? 1;
  }

  workspaceFor(ctx: TaskContext): unknown {
    return this.core.options.runner.workspaceOf?.(ctx);
  }

  write(ctx: TaskContext, text: string): void {
    this.core.options.runner.write?.(ctx, text);
  }

  /* a token never changes frames */
  instanceOf(handle: ContextHandle): number {
    return (handle as Token).frame.instance;
  }

  signalFor(handle: ContextHandle): AbortSignal {
    const token = handle as Token;
    token.abort ??= new AbortController();
    if (token.state === TokenState.Cancelled) token.abort.abort(new CancelledError("the task was cancelled"));
    return token.abort.signal;
  }

  /* called once per task context; once its task has ended (a reporter, a late callback) the view only reads */
  dataFor(handle: ContextHandle, ctx: TaskContext): Data {
    const token = handle as Token;
    const view = new TaskData(token.ref.data, ctx.taskName, ctx.task.id);
    if (token.context === ctx && token.state === TokenState.Running && token.view === undefined) token.view = view;
    else view.discard();
    return view.proxy;
  }
}
