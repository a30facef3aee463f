import { redact, redactSettled } from "./redact.js";

/** One stream of output (a command's stdout, a task's console): pieces, then an end. */
export interface OutputStream {
  write(text: string): void;
  /** writes out what is still held back; later writes are dropped */
  end(): void;
}

/**
 * Masks secret values in a stream of pieces, even a value split across two
 * pieces (two reads of a pipe, two `write()` calls of a program): the end
 * of each piece that could be the beginning of a value is held back until
 * the next piece or the end of the stream decides. A value registered while
 * the stream runs is masked in everything not yet written out, the held
 * part included; what was written before it was known stays as it was.
 */
export class StreamRedactor implements OutputStream {
  private held = "";
  private ended = false;
  private readonly out: (text: string) => void;
  private readonly onEnd: (() => void) | undefined;

  constructor(out: (text: string) => void, onEnd?: () => void) {
    this.out = out;
    this.onEnd = onEnd;
  }

  write(text: string): void {
    if (this.ended || text === "") return;
    const [settled, held] = redactSettled(this.held + text);
    this.held = held;
    if (settled !== "") this.out(settled);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    const rest = redact(this.held);
    this.held = "";
    if (rest !== "") this.out(rest);
    this.onEnd?.();
  }
}
