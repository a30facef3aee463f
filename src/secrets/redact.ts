/**
 * The redaction registry: every secret value adhesive reads is registered
 * here, and `redact()` masks them in any text before it reaches a log line,
 * captured output or error message. Output that arrives in pieces goes
 * through `redactSettled()` (see stream-redactor.ts), so a value split
 * across two pieces is masked all the same.
 *
 * A value is masked in every form text commonly gives it, not only as it
 * is: JSON-escaped (a secret with `"` or `\` is `\"`, `\\` in any JSON
 * adhesive or a task writes), URL-encoded, shell-quoted, HTML-escaped and
 * base64-encoded (see `encodingsOf`). JSON that adhesive writes itself goes
 * through `redactJson`, which masks each string before it is encoded.
 *
 * The registry is per process (per worker thread): values read in a worker
 * must be registered in the thread that prints them too (`registerSecret`
 * with the values from `registeredSecrets()`).
 */
import { escapeRegExp } from "../escape-regexp.js";

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
/* every form of every value (encodingsOf), what the matcher looks for */
const forms = new Set<string>();

/*
 * Base64 of a value is masked by its characters that do not depend on the
 * bytes around it; fewer than this would mask short runs of letters in
 * ordinary base64 text, so values under 6 bytes have no base64 form.
 */
const MIN_BASE64_CHARS = 8;

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
    for (const form of encodingsOf(candidate)) if (form.length >= MIN_SECRET_LENGTH) forms.add(form);
    added = true;
  }
  if (added) matcher = undefined;
}

/**
 * The forms `value` takes in text: as it is; JSON-escaped (once and twice,
 * with `/` escaped too, with non-ASCII as \u escapes); URL-encoded
 * (encodeURIComponent, encodeURI, form encoding, RFC 3986; hex in either
 * case); shell-quoted (inside '…', inside "…", backslash-escaped);
 * HTML-escaped; base64 and base64url at each of the three byte alignments
 * it can have inside a longer encoded text (only the characters its own
 * bytes decide).
 */
export function encodingsOf(value: string): Set<string> {
  const found = new Set<string>([value]);
  const json = (text: string) => JSON.stringify(text).slice(1, -1);
  const once = json(value);
  for (const form of [once, json(once), once.replace(/\//g, "\\/"), asciiJson(once), asciiJson(once).replace(/\//g, "\\/")]) found.add(form);
  for (const encode of [encodeURIComponent, encodeURI, formEncode, strictUriEncode]) {
    let encoded: string;
    try {
      encoded = encode(value);
    } catch {
      continue; // a lone surrogate: no URL form
    }
    found.add(encoded);
    found.add(encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()));
  }
  found.add(value.replace(/'/g, "'\\''"));
  found.add(value.replace(/'/g, `'"'"'`));
  found.add(value.replace(/["\\$`]/g, "\\$&"));
  found.add(value.replace(/["\\$`!]/g, "\\$&"));
  found.add(value.replace(/[^A-Za-z0-9_\-.,:+/@\n]/g, "\\$&"));
  found.add(value.replace(/[\s"'\\$`!&|;<>()[\]{}*?#~]/g, "\\$&"));
  found.add(value.replace(/[&<>"']/g, (c) => HTML[c]));
  found.add(value.replace(/[&<>"']/g, (c) => (c === "'" ? "&apos;" : HTML[c])));
  for (const form of base64Forms(Buffer.from(value, "utf8"))) found.add(form);
  return found;
}

const HTML: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/* JSON with every non-ASCII character as a \u escape (Python's json.dumps, many loggers) */
function asciiJson(escaped: string): string {
  return escaped.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/* application/x-www-form-urlencoded, as URLSearchParams writes it */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/* RFC 3986: encodeURIComponent and ! ' ( ) * too */
function strictUriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/*
 * In a longer base64 text the value's bytes start at any of three
 * alignments; at each, the characters that only its bytes decide are the
 * same whatever comes before or after.
 */
function base64Forms(bytes: Buffer): string[] {
  const result: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString("base64");
    const from = Math.ceil((shift * 8) / 6);
    const to = Math.floor(((shift + bytes.length) * 8) / 6);
    if (to - from < MIN_BASE64_CHARS) continue;
    const part = encoded.slice(from, to);
    result.push(part, part.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return result;
}

/** The registered values (to register them in another worker thread). */
export function registeredSecrets(): string[] {
  return [...values];
}

/** Whether any value is registered (nothing to mask otherwise). */
export function hasSecrets(): boolean {
  return values.size > 0;
}

/** Replaces every registered secret value in `text`, in any of its forms (encodingsOf), with `********`. */
export function redact(text: string): string {
  if (values.size === 0 || text.length === 0) return text;
  return text.replace(current().pattern, REDACTED);
}

/**
 * `value` as JSON text with every registered secret value masked: each
 * string (object keys too) is masked before it is escaped, so the text
 * stays valid JSON (masking the escaped text could cut an escape sequence
 * in two), and a number that is a secret's digits becomes `"********"`.
 */
export function redactJson(value: unknown, space?: number): string {
  if (values.size === 0) return JSON.stringify(value, undefined, space);
  return JSON.stringify(value, maskJsonValue, space);
}

function maskJsonValue(this: unknown, _key: string, value: unknown): unknown {
  switch (typeof value) {
    case "string":
      return redact(value);
    case "number":
      return redact(String(value)) === String(value) ? value : REDACTED;
    case "object": {
      if (value === null || Array.isArray(value)) return value;
      const keys = Object.keys(value);
      if (keys.every((key) => redact(key) === key)) return value;
      // a key holding a secret: a copy with masked keys (its values are masked as JSON.stringify walks them)
      const copy: Record<string, unknown> = {};
      for (const key of keys) define(copy, redact(key), (value as Record<string, unknown>)[key]);
      return copy;
    }
    default:
      return value;
  }
}

/**
 * A copy of a data value with every registered secret value masked: in its
 * strings, object keys, Map and Set entries, Buffers and typed arrays (read
 * as UTF-8), error messages, and numbers that are a secret's digits (those
 * become `"********"`). For what is kept beyond the run: the journal.
 * Without a secret in it, the value itself; with one, a copy that keeps its
 * shared references and cycles.
 */
export function redactValue<T>(value: T): T {
  if (values.size === 0 || !holdsSecret(value, new Set())) return value;
  return maskedCopy(value, new Map()) as T;
}

function maskedScalar(value: string | number | bigint): string | number | bigint {
  if (typeof value === "string") return redact(value);
  const text = String(value);
  return redact(text) === text ? value : REDACTED;
}

function holdsSecret(value: unknown, seen: Set<object>): boolean {
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") return maskedScalar(value) !== value;
  if (value === null || typeof value !== "object" || seen.has(value)) return false;
  seen.add(value);
  if (Array.isArray(value) || value instanceof Set) {
    for (const item of value) if (holdsSecret(item, seen)) return true;
    return false;
  }
  if (value instanceof Map) {
    for (const [key, item] of value) if (holdsSecret(key, seen) || holdsSecret(item, seen)) return true;
    return false;
  }
  if (ArrayBuffer.isView(value)) return holdsSecret(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("utf8"), seen);
  if (value instanceof Error) return holdsSecret(value.message, seen) || holdsSecret(value.stack, seen) || holdsSecret((value as { cause?: unknown }).cause, seen);
  if (!isPlainObject(value)) return false;
  for (const key of Object.keys(value)) if (holdsSecret(key, seen) || holdsSecret((value as Record<string, unknown>)[key], seen)) return true;
  return false;
}

/* each container is made empty and remembered before its parts are copied, so a cycle back to it finds the copy */
function maskedCopy(value: unknown, copies: Map<object, unknown>): unknown {
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") return maskedScalar(value);
  if (value === null || typeof value !== "object") return value;
  const done = copies.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    copies.set(value, copy);
    for (const item of value) copy.push(maskedCopy(item, copies));
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map<unknown, unknown>();
    copies.set(value, copy);
    for (const [key, item] of value) copy.set(maskedCopy(key, copies), maskedCopy(item, copies));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set<unknown>();
    copies.set(value, copy);
    for (const item of value) copy.add(maskedCopy(item, copies));
    return copy;
  }
  if (ArrayBuffer.isView(value)) {
    const text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("utf8");
    const masked = redact(text);
    const copy = masked === text ? value : Buffer.isBuffer(value) ? Buffer.from(masked) : new Uint8Array(Buffer.from(masked));
    copies.set(value, copy);
    return copy;
  }
  if (value instanceof Error) {
    const copy = new Error(redact(value.message));
    copies.set(value, copy);
    copy.name = value.name;
    copy.stack = value.stack === undefined ? undefined : redact(value.stack);
    if ("cause" in value) copy.cause = maskedCopy(value.cause, copies);
    return copy;
  }
  // a Date, a RegExp, a class instance: as it is (data holds no text of its own in them)
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = Object.getPrototypeOf(value) === null ? Object.create(null) : {};
  copies.set(value, copy);
  for (const key of Object.keys(value)) define(copy, redact(key), maskedCopy((value as Record<string, unknown>)[key], copies));
  return copy;
}

/* an own property even for "__proto__" (data parsed from JSON can have one), which assignment would make the prototype */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
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
  forms.clear();
  matcher = undefined;
}

function current(): Matcher {
  if (matcher !== undefined) return matcher;
  const sorted = [...forms].sort((a, b) => b.length - a.length);
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
