import fastStringTruncatedWidth from "fast-string-truncated-width";
import { isFormOpen, isFormWrite, onFormChange } from "../ui/terminal-sharing.js";

/** A terminal stream as the screen needs it (process.stdout / process.stderr). */
export interface TerminalStream {
  write(chunk: string | Uint8Array, ...rest: unknown[]): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

type Write = TerminalStream["write"];

const CLEAR_LINE = "\r\u001b[2K";
const REDRAW_MS = 100;

/** The screen of a terminal (not dumb); undefined when the output is a pipe or a file. */
export function openScreen(out: unknown, err: unknown): Screen | undefined {
  const stream = out as Partial<TerminalStream>;
  if (stream.isTTY !== true || typeof stream.write !== "function" || process.env.TERM === "dumb") return undefined;
  return new Screen(out as TerminalStream, err as TerminalStream);
}

/**
 * The terminal of a CLI run: everything printed scrolls above one status
 * line at the bottom that is redrawn in place, and while a user-task form is
 * open all output but the form's is held and printed when it closes.
 *
 * It wraps the streams' write(), so output it does not know about (a
 * task's live output, the process file's own console.log, Node's warnings)
 * also lands above the status line instead of inside it. A wrapper that a
 * later patch built on is never taken out; it only stops doing anything.
 */
export class Screen {
  private readonly out: TerminalStream;
  private readonly streams: TerminalStream[];
  private readonly originals = new Map<TerminalStream, Write>();
  private readonly wrappers = new Map<TerminalStream, Write>();
  private readonly held: Array<{ stream: TerminalStream; args: Parameters<Write> }> = [];
  private status: (() => string) | undefined;
  private shown = false;
  private atLineStart = true;
  private timer: NodeJS.Timeout | undefined;
  private redrawQueued = false;
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(out: TerminalStream, err?: TerminalStream) {
    this.out = out;
    this.streams = err !== undefined && err !== out && err.isTTY ? [out, err] : [out];
    for (const stream of this.streams) this.wrap(stream);
    this.unsubscribe = onFormChange((open) => (open ? this.clear() : this.release()));
  }

  /** Shows `render()` as the status line, redrawn every 100 ms; undefined removes it. */
  setStatus(render: (() => string) | undefined): void {
    this.status = render;
    clearInterval(this.timer);
    this.timer = undefined;
    if (render === undefined) {
      this.clear();
      return;
    }
    // unref: a status line must never keep a finished process alive
    this.timer = setInterval(() => this.draw(), REDRAW_MS).unref();
    this.draw();
  }

  /** Removes the status line and prints what is held; the streams write straight through from now on. */
  close(): void {
    this.setStatus(undefined);
    this.closed = true;
    this.unsubscribe();
    this.flushHeld();
    for (const stream of this.streams) {
      if (stream.write === this.wrappers.get(stream)) (stream as { write: Write }).write = this.originals.get(stream)!;
    }
  }

  private wrap(stream: TerminalStream): void {
    const original = stream.write.bind(stream) as Write;
    const wrapper: Write = (...args) => {
      if (this.closed || isFormWrite()) return original(...args);
      if (isFormOpen()) {
        this.held.push({ stream, args });
        return true;
      }
      this.clear();
      const written = original(...args);
      this.noteLineEnd(args[0]);
      this.queueDraw();
      return written;
    };
    this.originals.set(stream, original);
    this.wrappers.set(stream, wrapper);
    (stream as { write: Write }).write = wrapper;
  }

  /* the lines written in one tick get one redraw after them, not one each */
  private queueDraw(): void {
    if (this.redrawQueued || this.status === undefined) return;
    this.redrawQueued = true;
    setImmediate(() => {
      this.redrawQueued = false;
      this.draw();
    });
  }

  private draw(): void {
    // a half-written line (a prompt, a progress dot) would be wiped by the next redraw
    if (this.status === undefined || this.closed || isFormOpen() || !this.atLineStart) return;
    const width = Math.max((this.out.columns ?? 80) - 1, 10);
    const line = this.status();
    const fit = fastStringTruncatedWidth(line, { limit: width, ellipsis: "…" });
    const text = fit.truncated ? `${line.slice(0, fit.index)}${fit.ellipsed ? "…" : ""}\u001b[0m` : line;
    this.originals.get(this.out)!(`${CLEAR_LINE}${text}`);
    this.shown = true;
  }

  private clear(): void {
    if (!this.shown) return;
    this.originals.get(this.out)!(CLEAR_LINE);
    this.shown = false;
  }

  private release(): void {
    this.flushHeld();
    this.draw();
  }

  private flushHeld(): void {
    for (const { stream, args } of this.held.splice(0)) {
      this.originals.get(stream)!(...args);
      this.noteLineEnd(args[0]);
    }
  }

  private noteLineEnd(chunk: unknown): void {
    const text = typeof chunk === "string" ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString("utf8") : "";
    if (text.length > 0) this.atLineStart = text.endsWith("\n");
  }
}
