import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import type { OutputSink } from "../workspaces/workspace.js";
import { redact } from "../secrets/redact.js";

/* What a failure report shows of a task's output: the end, where the reason usually is. */
const TAIL_CHARS = 16 * 1024;

/** Where live output goes with `stdout: true`. */
export interface LiveOutput {
  write(text: string): void;
}

/**
 * Everything one task execution printed. The file is created on the first
 * write, so the many tasks that print nothing cost no I/O.
 */
export class TaskLog implements OutputSink {
  private readonly folder: string;
  private readonly taskName: string;
  private readonly tokenId: number;
  private readonly live: LiveOutput | undefined;
  private stream: WriteStream | undefined;
  private tailText = "";
  private closed: Promise<void> | undefined;

  constructor(folder: string, taskName: string, tokenId: number, live: LiveOutput | undefined) {
    this.folder = folder;
    this.taskName = taskName;
    this.tokenId = tokenId;
    this.live = live;
  }

  /** `<task>.<token>.log`: a token that runs the same task again (a condition loop) appends to it */
  get path(): string {
    return join(this.folder, `${fileSafe(this.taskName)}.${this.tokenId}.log`);
  }

  /** whether anything was written (only then is there a file) */
  get used(): boolean {
    return this.stream !== undefined;
  }

  write(output: string): void {
    if (output === "" || this.closed !== undefined) return;
    const text = redact(output);
    this.stream ??= createWriteStream(this.path, { flags: "a" });
    this.stream.write(text);
    this.tailText = (this.tailText + text).slice(-TAIL_CHARS);
    this.live?.write(prefixLines(text, `[${this.taskName}] `));
  }

  /** The last part of what the task printed ("" when it printed nothing). */
  get tail(): string {
    return this.tailText;
  }

  close(): Promise<void> {
    const stream = this.stream;
    this.closed ??= stream === undefined ? Promise.resolve() : new Promise((resolve) => stream.end(resolve));
    return this.closed;
  }
}

function prefixLines(text: string, prefix: string): string {
  const lines = text.split("\n");
  const last = lines.pop();
  const body = lines.map((line) => `${prefix}${line}\n`).join("");
  return last ? `${body}${prefix}${last}\n` : body;
}

function fileSafe(name: string): string {
  return name.replace(/[^\w.-]+/g, "_").slice(0, 80) || "task";
}
