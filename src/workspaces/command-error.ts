import { AdhesiveError } from "../errors.js";
import { redact } from "../secrets/redact.js";

/** How many trailing output lines a CommandError keeps: enough to see why, short enough to read. */
export const OUTPUT_TAIL_LINES = 20;

/**
 * A command run in a workspace exited non-zero, was killed, or could not
 * start. Secret values (see secrets/redact.ts) are masked in the command,
 * the output and the message.
 */
export class CommandError extends AdhesiveError {
  /** always `ADHESIVE_COMMAND_FAILED` */
  declare readonly code: "ADHESIVE_COMMAND_FAILED";
  /** the command line, secret values masked */
  readonly command: string;
  /** undefined when the command was killed by a signal or could not start */
  readonly exitCode: number | undefined;
  /** the signal that killed it ("SIGTERM", ...), when one did */
  readonly signal: string | undefined;
  /** the last lines of its output (stdout and stderr interleaved) */
  readonly output: string;

  constructor(
    command: string,
    exitCode: number | undefined,
    signal: string | undefined,
    output: string,
    reason?: string,
    options?: { cause?: unknown },
  ) {
    const how = redact(reason ?? (exitCode !== undefined ? `exited with code ${exitCode}` : `was killed by ${signal ?? "a signal"}`));
    const tail = lastLines(redact(output), OUTPUT_TAIL_LINES);
    const shown = redact(command);
    super("ADHESIVE_COMMAND_FAILED", `command \`${shown}\` ${how}${tail ? `\n${indent(tail)}` : ""}`, options);
    this.command = shown;
    this.exitCode = exitCode;
    this.signal = signal;
    this.output = tail;
  }
}

export function lastLines(text: string, count: number): string {
  const lines = text.replace(/\s+$/, "").split("\n");
  return lines.slice(-count).join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  | ${line}`)
    .join("\n");
}
