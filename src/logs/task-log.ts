import { createWriteStream, fchmod, type WriteStream } from "node:fs";
import { join } from "node:path";
import type { OutputSink, OutputStream } from "../workspaces/workspace.js";
import { redact } from "../secrets/redact.js";
import { RedactingSink } from "../secrets/stream-redactor.js";
import { shown, visibleColored } from "../terminal-text.js";
import { OWNER_ONLY_FILE } from "../workspaces/temp-folder.js";

/* What a failure report shows of a task's output: the end, where the reason usually is. */
const TAIL_CHARS = 16 * 1024;

/** Where live output goes with `stdout: true`. */
export interface LiveOutput {
  write(text: string): void;
}

/**
 * Everything one task execution printed. The file is created on the first
 * write, so the many tasks that print nothing cost no I/O. Each source (the
 * task's console and process.stdout/stderr writes, each command's stdout
 * and stderr) is masked as a stream of its own (RedactingSink).
 */
export class TaskLog implements OutputSink {
  private readonly folder: string;
  private readonly taskName: string;
  private readonly tokenId: number;
  private readonly live: LiveOutput | undefined;
  private readonly sources: RedactingSink;
  private file: WriteStream | undefined;
  private pathValue: string | undefined;
  private tailText = "";
  /* live output goes out in whole lines, each prefixed with the task name; this is the line not yet ended */
  private liveLine = "";
  private ended = false;
  private closed: Promise<void> | undefined;

  constructor(folder: string, taskName: string, tokenId: number, live: LiveOutput | undefined) {
    this.folder = folder;
    this.taskName = taskName;
    this.tokenId = tokenId;
    this.live = live;
    this.sources = new RedactingSink(this.record);
  }

  /**
   * `<task>.<token>.log`: a token that runs the same task again (a condition
   * loop) appends to it. The task name may be rendered from data that holds
   * a secret: it is masked before the name is made file-safe and cut, which
   * would leave a value no longer recognised as one.
   */
  get path(): string {
    // made once: a value registered later must not rename a file already written
    this.pathValue ??= join(this.folder, `${fileSafe(redact(this.taskName))}.${this.tokenId}.log`);
    return this.pathValue;
  }

  /** whether anything was written (only then is there a file) */
  get used(): boolean {
    return this.file !== undefined;
  }

  /** What the task itself prints (console, process.stdout/stderr.write). */
  write(output: string): void {
    this.sources.write(output);
  }

  /** A source of its own: one command's stdout or stderr. */
  stream(): OutputStream {
    return this.sources.stream();
  }

  /** The last part of what the task printed ("" when it printed nothing). */
  get tail(): string {
    return this.tailText;
  }

  /** The task ended: what every source still holds back is written out; later output is dropped. */
  end(): void {
    if (this.ended) return;
    this.sources.end();
    this.ended = true;
    if (this.liveLine !== "") this.live?.write(this.liveText([this.liveLine]));
    this.liveLine = "";
  }

  close(): Promise<void> {
    this.end();
    const file = this.file;
    this.closed ??= file === undefined ? Promise.resolve() : new Promise((resolve) => file.end(resolve));
    return this.closed;
  }

  /* an arrow property: every stream of the log writes through it, already masked */
  private readonly record = (text: string): void => {
    if (this.ended) return;
    this.file ??= ownerOnly(createWriteStream(this.path, { flags: "a", mode: OWNER_ONLY_FILE }));
    this.file.write(text);
    this.tailText = (this.tailText + text).slice(-TAIL_CHARS);
    if (this.live !== undefined) this.writeLive(text);
  };

  private writeLive(text: string): void {
    const lines = (this.liveLine + text).split("\n");
    this.liveLine = lines.pop()!;
    if (lines.length > 0) this.live!.write(this.liveText(lines));
  }

  /* lines for the terminal: the name masked and escaped, what the task printed with its control characters escaped but its colours kept (already masked) */
  private liveText(lines: string[]): string {
    const prefix = `[${shown(this.taskName)}] `;
    return lines.map((line) => `${prefix}${visibleColored(line.endsWith("\r") ? line.slice(0, -1) : line)}\n`).join("");
  }
}

/* the mode given at creation is reduced by the umask, and an existing file (a task run again) keeps its own */
function ownerOnly(file: WriteStream): WriteStream {
  file.once("open", (fd: number) => fchmod(fd, OWNER_ONLY_FILE, (error) => error && file.destroy(error)));
  return file;
}

function fileSafe(name: string): string {
  return name.replace(/[^\w.-]+/g, "_").slice(0, 80) || "task";
}
