import { createColors } from "picocolors";
import { formatFrame, userFrame } from "../call-site.js";
import { AdhesiveError, CancelledError, TaskError, callChain } from "../errors.js";
import { endState } from "../runs/state.js";
import { redact } from "../secrets/redact.js";
import { redactError } from "../secrets/redact-error.js";
import { shown, visibleLine, visibleLines } from "../terminal-text.js";
import { CommandError, lastLines } from "../workspaces/command-error.js";
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE } from "./exit-codes.js";
import { shortPath } from "./paths.js";
import type { Output } from "./reporter.js";

/* what a failure report shows of a task's output; all of it is in the run's logs folder */
const OUTPUT_LINES = 40;

export interface FailureIo {
  err: Output;
  color: boolean;
  cwd: string;
  /** log_level debug or trace: the whole stack of an unexpected error */
  verbose?: boolean;
}

/** Prints why the process file failed, once and without adhesive's own stack frames; returns the exit code. */
export function reportFailure(failure: unknown, io: FailureIo): number {
  // the process file's own code may fail with a secret it read, outside any run
  const error = redactError(failure);
  const c = createColors(io.color);
  if (error instanceof CancelledError) {
    // the word the run's state says: "interrupted" (adhesive resume continues it) or "cancelled"
    io.err.write(`${c.yellow(endState(error))}: ${visibleLines(redact(error.message))}\n`);
    return EXIT_INTERRUPTED;
  }
  if (error instanceof TaskError) {
    const cause = error.cause;
    // the task name is rendered from data and the message may quote it: both may hold escape sequences
    io.err.write(`${c.red("process failed")}: task "${shown(error.taskName)}" (${shown(error.elementId)})${shown(callChain(error.calls))} failed: ${visibleLines(redact(headline(cause)))}${visibleLine(where(cause, io))}\n`);
    const output = error.output ?? (cause instanceof CommandError ? cause.output : undefined);
    if (output) io.err.write(outputBlock(output, c));
    return EXIT_FAILED;
  }
  if (error instanceof AdhesiveError) {
    io.err.write(`${c.red("error")}: ${visibleLines(redact(error.message))}\n`);
    return EXIT_USAGE;
  }
  if (io.verbose && error instanceof Error && error.stack) {
    io.err.write(`${c.red("error")}: ${visibleLines(redact(error.stack))}\n`);
    return EXIT_FAILED;
  }
  io.err.write(`${c.red("error")}: ${visibleLines(redact(error instanceof Error ? error.message : String(error)))}${visibleLine(where(error, io))}\n`);
  return EXIT_FAILED;
}

/**
 * The first line of a command failure (which command, how it ended): its
 * last lines are the task's output, shown once below it. Other errors whole.
 */
export function headline(error: unknown): string {
  if (error instanceof CommandError) return error.message.split("\n")[0];
  return error instanceof Error ? error.message : String(error);
}

/** ` (at file:line)` of the first frame in the user's code, relative to the working directory when inside it. */
export function where(error: unknown, io: { cwd: string }): string {
  const frame = userFrame(error);
  if (frame === undefined) return "";
  return ` (at ${formatFrame({ ...frame, file: shortPath(frame.file, io.cwd) })})`;
}

function outputBlock(output: string, c: ReturnType<typeof createColors>): string {
  const lines = output.replace(/\s+$/, "").split("\n");
  const tail = lastLines(output, OUTPUT_LINES);
  const note = lines.length > OUTPUT_LINES ? ` (last ${OUTPUT_LINES} lines; the run's logs folder has all of it)` : "";
  // what the task printed is shown, not replayed: its escape sequences are escaped like any other text from data
  return `${c.bold("output of the failed task")}${c.dim(note)}:\n${visibleLines(redact(tail))
    .split("\n")
    .map((line) => `  ${c.dim("|")} ${line}`)
    .join("\n")}\n`;
}
