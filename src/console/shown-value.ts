/*
 * Data values as the console shows them. A journal value may be anything
 * v8.serialize keeps (Map, Set, Date, BigInt, Buffers, errors, cycles):
 * the page gets plain JSON that says what each was, and a value too big to
 * show is cut, so a task that set 10 MB of data costs the page one line.
 */

/** The JSON text of a shown value is cut beyond this many characters. */
export const MAX_SHOWN_CHARS = 4096;
const MAX_DEPTH = 8;

/** `value` as JSON the page can show: plain values as they are, the others described. */
export function shownValue(value: unknown): unknown {
  const shown = toJson(value, 0, new Set());
  const text = JSON.stringify(shown) ?? "undefined";
  if (text.length <= MAX_SHOWN_CHARS) return shown;
  return { "(cut)": `${text.slice(0, MAX_SHOWN_CHARS)}…`, "(size)": `${text.length} characters` };
}

function toJson(value: unknown, depth: number, seen: Set<object>): unknown {
  switch (typeof value) {
    case "undefined":
      return { "(undefined)": true };
    case "bigint":
      return `${value}n`;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "symbol":
    case "function":
      return String(value);
    case "object":
      break;
    default:
      return value;
  }
  if (value === null) return null;
  if (seen.has(value)) return "(circular)";
  if (depth >= MAX_DEPTH) return "(nested deeper)";
  seen.add(value);
  try {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
    if (value instanceof Error) return { "(error)": value.name, message: value.message };
    if (value instanceof RegExp) return String(value);
    if (ArrayBuffer.isView(value)) return `(${value.constructor.name} of ${value.byteLength} bytes)`;
    if (value instanceof Map) return { "(Map)": [...value].map(([k, v]) => [toJson(k, depth + 1, seen), toJson(v, depth + 1, seen)]) };
    if (value instanceof Set) return { "(Set)": [...value].map((v) => toJson(v, depth + 1, seen)) };
    if (Array.isArray(value)) return value.map((v) => toJson(v, depth + 1, seen));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = toJson((value as Record<string, unknown>)[key], depth + 1, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}
