/**
 * The redaction registry: every secret value adhesive reads is registered
 * here, and `redact()` masks them in any text before it reaches a log line,
 * captured output or error message.
 *
 * The registry is per process (per worker thread): values read in a worker
 * must be registered in the thread that prints them too (`registerSecret`
 * with the values from `registeredSecrets()`).
 */

/** What a secret value is replaced with. */
export const REDACTED = "********";

/**
 * Values shorter than this are not registered: masking every "a" or "42" in
 * the output would make logs unreadable and tell an attacker the value anyway.
 */
export const MIN_SECRET_LENGTH = 4;

const values = new Set<string>();
/* one regular expression for all values, longest first so a whole multi-line value wins over its lines; rebuilt on registration */
let pattern: RegExp | undefined;

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
  if (added) pattern = undefined;
}

/** The registered values (to register them in another worker thread). */
export function registeredSecrets(): string[] {
  return [...values];
}

/** Replaces every registered secret value in `text` with `********`. */
export function redact(text: string): string {
  if (values.size === 0 || text.length === 0) return text;
  pattern ??= new RegExp(
    [...values]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join("|"),
    "g",
  );
  return text.replace(pattern, REDACTED);
}

/** Forgets every registered value (tests). */
export function clearSecrets(): void {
  values.clear();
  pattern = undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
