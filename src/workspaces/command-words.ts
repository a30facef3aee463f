import { UsageError } from "../errors.js";

/**
 * The program and arguments of a command run with `shell: false`: the
 * command split on whitespace, where a whitespace character after a
 * backslash belongs to the word (`cat my\ file.txt`). No quotes, variables
 * or globs: that is what the shell is for. Every workspace splits the same way.
 */
export function commandWords(command: string): string[] {
  const words = command
    .trim()
    .split(/(?<!\\)\s+/)
    .filter((word) => word !== "")
    .map((word) => word.replace(/\\(\s)/g, "$1"));
  if (words.length === 0) throw new UsageError(`cannot run an empty command (${JSON.stringify(command)})`);
  return words;
}
