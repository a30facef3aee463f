import { redact } from "./secrets/redact.js";

/*
 * Text that comes from data (a task name rendered from it, a loop value, an
 * error message, what a command printed) can hold escape sequences: OSC
 * sets the window title or writes the clipboard, CSI clears the screen or
 * moves the cursor over earlier lines, a lone CR overwrites a line, bidi
 * overrides reorder what is read. None of it reaches the terminal raw: it
 * is shown escaped (`\x1b]0;title\x07`), so it is visible and inert.
 */
const CONTROLS = "\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069";
/* one line: tabs and newlines escaped too */
const IN_LINE = new RegExp(`[\\t\\n${CONTROLS}]`, "g");
/* several lines: newlines and tabs kept; a CR only as part of CRLF (dropped) */
const IN_LINES = new RegExp(`\\r\\n|[${CONTROLS}]`, "g");
/* the same, colour codes (SGR: ESC [ digits m) kept, for a task's live output */
const IN_COLORED = new RegExp(`\\r\\n|\\u001b\\[[0-9;:]*m|[${CONTROLS}]`, "g");

const NAMED: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r", "\u001b": "\\x1b" };

function escaped(character: string): string {
  const named = NAMED[character];
  if (named !== undefined) return named;
  const code = character.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** `text` for one line of the terminal: every control character (newlines and tabs too) escaped. */
export function visibleLine(text: string): string {
  return text.replace(IN_LINE, escaped);
}

/** `text` for several lines of the terminal: newlines and tabs kept, every other control character escaped. */
export function visibleLines(text: string): string {
  return text.replace(IN_LINES, (match) => (match === "\r\n" ? "\n" : escaped(match)));
}

/** A task's own output streamed to the terminal (`stdout: true`): like visibleLines, but its colours kept. */
export function visibleColored(text: string): string {
  return text.replace(IN_COLORED, (match) => (match === "\r\n" ? "\n" : match.length > 1 ? match : escaped(match)));
}

/** A name or value from data on one line of the terminal: secrets masked, control characters escaped. */
export function shown(text: string): string {
  return visibleLine(redact(text));
}
