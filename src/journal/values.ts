import { deserialize, serialize } from "node:v8";
import { redactValue } from "../secrets/redact.js";

/**
 * Data values in the journal. A value JSON carries unchanged (plain objects
 * and arrays of strings, finite numbers, booleans and null) is written as
 * JSON, readable as it is. Anything else that data may hold (Map, Set, Date,
 * RegExp, BigInt, typed arrays, Buffers, undefined, NaN, -0, cycles, shared
 * references) is written as base64 of Node's v8.serialize, which keeps all
 * of it; no JSON encoder keeps all of it (devalue refuses `__proto__` keys,
 * @ungap/structured-clone turns Buffers into Uint8Arrays).
 */
export type EncodedValue = { j: unknown } | { x: string };

export function encodeValue(value: unknown): EncodedValue {
  // a secret value in data is kept masked (see records.ts)
  const masked = redactValue(value);
  return isJson(masked) ? { j: masked } : { x: serialize(masked).toString("base64") };
}

/** Whether JSON carries the value unchanged. */
export function isJson(value: unknown): boolean {
  return isJsonValue(value, 0);
}

export function decodeValue(encoded: EncodedValue): unknown {
  return "x" in encoded ? deserialize(Buffer.from(encoded.x, "base64")) : encoded.j;
}

/* Deeper than this is written by v8.serialize, which also copes with cycles (JSON.stringify would throw). */
const MAX_JSON_DEPTH = 64;

function isJsonValue(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object":
      if (value === null) return true;
      if (depth > MAX_JSON_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!(i in value) || !isJsonValue(value[i], depth + 1)) return false;
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      for (const key of Object.keys(value)) if (!isJsonValue((value as Record<string, unknown>)[key], depth + 1)) return false;
      return true;
    default:
      return false;
  }
}
