import type { OutputSink, OutputStream } from "../workspaces/workspace.js";
import { redact, redactSettled } from "./redact.js";

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

/** A stream into `sink` whose secret values are masked across pieces: the sink's own, or one masking before `write`. */
export function redactedStream(sink: OutputSink): OutputStream {
  return sink.stream?.() ?? new StreamRedactor((text) => sink.write(text));
}

/**
 * A sink whose every source is masked as a stream of its own: `write` for
 * what its owner prints itself (console calls), `stream()` for each command
 * stream, so a secret split across two pieces of one source is masked even
 * when another source prints in between. `end()` writes out what they hold.
 */
export class RedactingSink implements OutputSink {
  private readonly out: (text: string) => void;
  private readonly direct: StreamRedactor;
  private readonly streams = new Set<StreamRedactor>();
  private ended = false;

  constructor(out: (text: string) => void) {
    this.out = out;
    this.direct = new StreamRedactor(out);
  }

  write(text: string): void {
    this.direct.write(text);
  }

  stream(): OutputStream {
    const stream: StreamRedactor = new StreamRedactor(this.out, () => this.streams.delete(stream));
    if (this.ended) stream.end();
    else this.streams.add(stream);
    return stream;
  }

  end(): void {
    this.ended = true;
    this.direct.end();
    for (const stream of this.streams) stream.end();
  }
}
