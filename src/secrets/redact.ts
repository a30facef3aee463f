/**
 * The redaction registry: every secret value adhesive reads is registered
 * here, and `redact()` masks them in any text before it reaches a log line,
 * captured output or error message. Output that arrives in pieces goes
 * through `redactSettled()` (see stream-redactor.ts), so a value split
 * across two pieces is masked all the same.
 *
 * The registry is per process (per worker thread): values read in a worker
 * must be registered in the thread that prints them too (`registerSecret`
 * with the values from `registeredSecrets()`).
 */

/** What a secret value is replaced with. */
export const REDACTED = "********";

/**
 * A secret must be at least this long (readSecret refuses a shorter one):
 * masking every "a" or "42" in the output would make logs unreadable and
 * tell an attacker the value anyway. Lines of a multi-line value that are
 * shorter are not masked on their own (the whole value still is).
 */
export const MIN_SECRET_LENGTH = 4;

const values = new Set<string>();

/** What masking needs, rebuilt when a value is registered. */
interface Matcher {
  /* one regular expression for all values, longest first so a whole multi-line value wins over its lines */
  pattern: RegExp;
  longest: number;
  /* the values by their first character: a piece can only end in the start of a value beginning with that character */
  byFirst: Map<string, string[]>;
}

let matcher: Matcher | undefined;

/**
 * Registers a secret value: the value itself (without surrounding
 * whitespace, as it is usually printed) and each of its lines.
 */
export function registerSecret(value: string): void {
  // trimmed: a file's trailing newline is not part of the secret, and masking it would join log lines
  const candidates = [value.trim(), ...value.split(/\r?\n/).map((line) => line.trim())];
  let added = false;
  for (const candidate of candidates) {
    if (candidate.length < MIN_SECRET_LENGTH || values.has(candidate)) continue;
    values.add(candidate);
    added = true;
  }
  if (added) matcher = undefined;
}

/** The registered values (to register them in another worker thread). */
export function registeredSecrets(): string[] {
  return [...values];
}

/** Whether any value is registered (nothing to mask otherwise). */
export function hasSecrets(): boolean {
  return values.size > 0;
}

/** Replaces every registered secret value in `text` with `********`. */
export function redact(text: string): string {
  if (values.size === 0 || text.length === 0) return text;
  return text.replace(current().pattern, REDACTED);
}

/** `value` as JSON text with every registered secret value masked. */
export function redactJson(value: unknown): string {
  return redact(JSON.stringify(value));
}

/**
 * Redacts the part of `text` that no text coming after it can change, for
 * output that arrives in pieces: returns that part, redacted, and the rest,
 * held back because it is the beginning of a secret value (at most the
 * longest value's length - 1 characters). Feeding the held part in front of
 * the next piece, and `redact()`-ing what is held when the stream ends, gives
 * exactly `redact()` of the whole text.
 */
export function redactSettled(text: string): [settled: string, held: string] {
  if (values.size === 0 || text.length === 0) return [text, ""];
  const { pattern, longest, byFirst } = current();
  let out = "";
  let cursor = 0;
  for (;;) {
    const hold = partialStart(text, cursor, longest, byFirst);
    pattern.lastIndex = cursor;
    const match = pattern.exec(text);
    // a match at or after `hold` may still lose to a longer value, or to one starting at `hold`
    if (match === null || match.index >= hold) {
      pattern.lastIndex = 0;
      return [out + text.slice(cursor, hold), text.slice(hold)];
    }
    out += text.slice(cursor, match.index) + REDACTED;
    cursor = match.index + match[0].length;
  }
}

/** Forgets every registered value (tests). */
export function clearSecrets(): void {
  values.clear();
  matcher = undefined;
}

function current(): Matcher {
  if (matcher !== undefined) return matcher;
  const sorted = [...values].sort((a, b) => b.length - a.length);
  const byFirst = new Map<string, string[]>();
  for (const value of sorted) {
    const list = byFirst.get(value[0]);
    if (list === undefined) byFirst.set(value[0], [value]);
    else list.push(value);
  }
  matcher = { pattern: new RegExp(sorted.map(escapeRegExp).join("|"), "g"), longest: sorted[0].length, byFirst };
  return matcher;
}

/* The first position from `from` where the rest of `text` is a proper beginning of a value (text.length if none). */
function partialStart(text: string, from: number, longest: number, byFirst: Map<string, string[]>): number {
  for (let start = Math.max(from, text.length - longest + 1); start < text.length; start++) {
    const candidates = byFirst.get(text[start]);
    if (candidates === undefined) continue;
    const rest = text.length - start;
    for (const value of candidates) if (value.length > rest && beginsWith(value, text, start)) return start;
  }
  return text.length;
}

/* whether `value` begins with text[start..]; no substring is made, this runs for every piece of output */
function beginsWith(value: string, text: string, start: number): boolean {
  for (let i = start, j = 0; i < text.length; i++, j++) if (text.charCodeAt(i) !== value.charCodeAt(j)) return false;
  return true;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
