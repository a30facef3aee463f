import { hasSecrets, redact } from "./redact.js";

/**
 * Masks secret values in what a failure carries, before anyone reports it:
 * an error's message, stack and other string properties (a CommandError's
 * output and command, a code), the same for its `cause` and, for an
 * AggregateError, its `errors`; a thrown string is masked itself. The error
 * is changed in place so its class, code and identity stay (error boundary
 * events match on them); one that cannot be changed (frozen) is replaced by
 * an Error with the same name, code and errorCode.
 */
export function redactError(error: unknown): unknown {
  return hasSecrets() ? masked(error, new Set()) : error;
}

function masked(error: unknown, seen: Set<object>): unknown {
  if (typeof error === "string") return redact(error);
  if (error === null || typeof error !== "object" || seen.has(error)) return error;
  seen.add(error);
  try {
    maskInPlace(error as Record<string, unknown>, seen);
    return error;
  } catch {
    return copyOf(error as Record<string, unknown>, seen);
  }
}

/* own data properties only: a getter could run code or throw, and what adhesive prints is held in own properties */
function maskInPlace(error: Record<string, unknown>, seen: Set<object>): void {
  for (const key of Object.getOwnPropertyNames(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, key);
    if (descriptor === undefined || !("value" in descriptor)) continue;
    const value: unknown = descriptor.value;
    let next = value;
    if (typeof value === "string") next = redact(value);
    else if (value instanceof Error || key === "cause") next = masked(value, seen);
    else if (key === "errors" && Array.isArray(value)) next = value.map((item) => masked(item, seen));
    if (next !== value) error[key] = next;
  }
}

function copyOf(error: Record<string, unknown>, seen: Set<object>): Error {
  const text = (key: string): string | undefined => (typeof error[key] === "string" ? redact(error[key] as string) : undefined);
  const copy = new Error(text("message") ?? redact(String(error)), { cause: masked(error.cause, seen) });
  copy.name = text("name") ?? copy.name;
  copy.stack = text("stack");
  for (const key of ["code", "errorCode"]) if (text(key) !== undefined) Object.assign(copy, { [key]: text(key) });
  return copy;
}
