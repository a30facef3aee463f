import { redact } from "../secrets/redact.js";
import { TaskLog, type LiveOutput } from "./task-log.js";

/**
 * The logs of one run, `<runs folder>/<run id>/logs/<task>.<token>.log`: one
 * file per task execution, kept apart even when many run at once.
 */
export class RunLogs {
  readonly folder: string;
  private readonly live: LiveOutput | undefined;
  private readonly open = new Map<number, TaskLog>();
  private readonly failed = new Map<number, string>();
  private readonly closing: Array<Promise<void>> = [];

  constructor(folder: string, live: LiveOutput | undefined) {
    this.folder = folder;
    this.live = live;
  }

  /** The log of a task execution, opened when it first prints. */
  start(tokenId: number, taskName: string): TaskLog {
    const log = new TaskLog(this.folder, taskName, tokenId, this.live);
    this.open.set(tokenId, log);
    return log;
  }

  /** The task ended; a failed one keeps its output for the error report. Returns its log file, if it printed anything. */
  finish(tokenId: number, failed: boolean): string | undefined {
    if (this.open.size === 0) return undefined; // most tasks print nothing
    const log = this.open.get(tokenId);
    if (log === undefined) return undefined;
    this.open.delete(tokenId);
    log.end();
    if (!log.used) return undefined;
    if (failed) this.failed.set(tokenId, log.tail);
    this.closing.push(log.close());
    return log.path;
  }

  /** What the failed task of that token printed, if anything; masked again for values registered since it was printed. */
  outputOf(tokenId: number): string | undefined {
    const output = this.failed.get(tokenId);
    return output === undefined ? undefined : redact(output);
  }

  async close(): Promise<void> {
    for (const tokenId of [...this.open.keys()]) this.finish(tokenId, false);
    await Promise.all(this.closing);
  }
}
