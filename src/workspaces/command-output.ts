import { StringDecoder } from "node:string_decoder";
import { redactedStream, StreamRedactor } from "../secrets/stream-redactor.js";
import type { OutputSink, OutputStream } from "./workspace.js";

/** One output stream of a command (its stdout or its stderr) as it arrives: bytes, then an end. */
export interface CommandStream {
  write(chunk: Uint8Array): void;
  /** the command ended: flushes what is still held back */
  end(): void;
}

/**
 * Where one output stream of a command goes: the task's log (`sink`) and
 * `keep` (what a CommandError shows), each masked as a stream of its own.
 * Keeping stdout and stderr apart means neither can split a secret value
 * printed on the other.
 */
export function commandStream(sink: OutputSink | undefined, keep?: (text: string) => void): CommandStream {
  // a character whose bytes span two reads is decoded whole, or a secret containing it would not match
  const decoder = new StringDecoder("utf8");
  const targets: OutputStream[] = [];
  if (sink !== undefined) targets.push(redactedStream(sink));
  if (keep !== undefined) targets.push(new StreamRedactor(keep));
  return {
    write(chunk) {
      const text = decoder.write(chunk);
      for (const target of targets) target.write(text);
    },
    end() {
      const text = decoder.end();
      for (const target of targets) {
        target.write(text);
        target.end();
      }
    },
  };
}

/* How much combined output a command keeps for its CommandError (the error shows the last lines of it). */
const OUTPUT_TAIL_CHARS = 64 * 1024;

/** A command's stdout and stderr as commandStream()s to the task's log, and the masked tail of both, interleaved, for its CommandError. */
export interface CommandOutput {
  out: CommandStream;
  err: CommandStream;
  /** the last OUTPUT_TAIL_CHARS characters of both, secrets masked */
  tail(): string;
  /** the command ended: flushes both */
  end(): void;
}

export function commandOutput(sink: OutputSink | undefined): CommandOutput {
  let tail = "";
  const keep = (text: string): void => void (tail = (tail + text).slice(-OUTPUT_TAIL_CHARS));
  const out = commandStream(sink, keep);
  const err = commandStream(sink, keep);
  return {
    out,
    err,
    tail: () => tail,
    end() {
      out.end();
      err.end();
    },
  };
}
