import type { TaskContext } from "../engine/context.js";
import type { OutputSink, OutputStream, TaskIo } from "../workspaces/workspace.js";
import type { RunLogs } from "./run-logs.js";
import type { TaskLog } from "./task-log.js";

/**
 * One per task execution, so it is kept small and fixed in shape: the
 * task's io for workspaces (its signal, read only when a command starts)
 * and the sink its console calls are routed to. The log file is opened on
 * the first write; a task that prints nothing costs this object only.
 */
export class TaskOutput implements OutputSink, TaskIo {
  private readonly logs: RunLogs;
  private readonly ctx: TaskContext;
  private log: TaskLog | undefined;

  constructor(logs: RunLogs, ctx: TaskContext) {
    this.logs = logs;
    this.ctx = ctx;
    this.log = undefined;
  }

  get signal(): AbortSignal {
    return this.ctx.signal;
  }

  get output(): OutputSink {
    return this;
  }

  write(text: string): void {
    this.taskLog().write(text);
  }

  stream(): OutputStream {
    return this.taskLog().stream();
  }

  private taskLog(): TaskLog {
    return (this.log ??= this.logs.start(this.ctx.tokenId, this.ctx.taskName));
  }
}
