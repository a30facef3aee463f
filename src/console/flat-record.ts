/*
 * Most journal records are flat: a task started or ended, an instance
 * ended, each a few integers and short ids
 * (`{"t":"s","s":3,"i":1,"n":"t2","at":14}`). A run of 100k message events
 * has a million of them, and JSON.parse with the strings cut around it is
 * most of a first read: these are read straight from the bytes here. A
 * record with anything else in it (an object, an escape, a fraction, a
 * character beyond ASCII) is left to JSON.parse: undefined.
 */

const QUOTE = 0x22;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const BACKSLASH = 0x5c;

/* keys and values seen before, by a hash of their bytes: a journal repeats a few element ids a million times */
const texts = new Map<number, string[]>();
/* how many hashes are kept at most: the ids of a few processes, not every file name a long run logged to */
const KEEP_TEXTS = 4096;

/** The record in bytes[start, end), when it is an object of integers and plain strings; else undefined. */
export function flatRecord(bytes: Uint8Array, start: number, end: number): Record<string, unknown> | undefined {
  if (bytes[start] !== OPEN || bytes[end - 1] !== CLOSE) return undefined;
  const record: Record<string, unknown> = {};
  let at = start + 1;
  for (;;) {
    if (bytes[at] !== QUOTE) return undefined;
    const keyEnd = stringEnd(bytes, at + 1, end);
    if (keyEnd < 0 || bytes[keyEnd + 1] !== COLON) return undefined;
    const key = text(bytes, at + 1, keyEnd);
    at = keyEnd + 2;
    if (bytes[at] === QUOTE) {
      const valueEnd = stringEnd(bytes, at + 1, end);
      if (valueEnd < 0) return undefined;
      record[key] = text(bytes, at + 1, valueEnd);
      at = valueEnd + 1;
    } else {
      const negative = bytes[at] === MINUS;
      if (negative) at++;
      let value = 0;
      const digits = at;
      // 15 digits at most: beyond, a double may not hold the integer exactly
      while (at < end && bytes[at] >= ZERO && bytes[at] <= NINE && at - digits < 15) value = value * 10 + (bytes[at++] - ZERO);
      if (at === digits || (bytes[digits] === ZERO && at - digits > 1)) return undefined;
      record[key] = negative ? -value : value;
    }
    if (bytes[at] === CLOSE) return at === end - 1 ? record : undefined;
    if (bytes[at] !== COMMA) return undefined;
    at++;
  }
}

/* where the plain string from `start` ends (its closing quote), or -1 for an escape or a byte beyond ASCII */
function stringEnd(bytes: Uint8Array, start: number, end: number): number {
  for (let at = start; at < end; at++) {
    const byte = bytes[at];
    if (byte === QUOTE) return at;
    if (byte === BACKSLASH || byte >= 0x80 || byte < 0x20) return -1;
  }
  return -1;
}

/* the ASCII text of bytes[start, end), the same string object for the same bytes */
function text(bytes: Uint8Array, start: number, end: number): string {
  let hash = end - start;
  for (let at = start; at < end; at++) hash = (hash * 31 + bytes[at]) | 0;
  const known = texts.get(hash);
  if (known !== undefined) {
    for (const candidate of known) if (same(candidate, bytes, start, end)) return candidate;
  }
  const made = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("latin1");
  if (known === undefined) {
    if (texts.size < KEEP_TEXTS) texts.set(hash, [made]);
  } else if (known.length < 4) known.push(made);
  return made;
}

function same(candidate: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (candidate.length !== end - start) return false;
  for (let i = 0; i < candidate.length; i++) if (candidate.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}
