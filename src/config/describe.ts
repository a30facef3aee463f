import { distance as levenshtein } from "fastest-levenshtein";
import { CONFIG_KEYS, type ConfigKey } from "./schema.js";

/** A value as a message shows it after "got": strings quoted, containers named rather than dumped. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "an empty value";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

/**
 * The known key a mistyped one most likely meant: same letters with other
 * separators or case (`poolSize`, `pool-size`), or at most two edits away.
 */
export function suggestKey(written: string): ConfigKey | undefined {
  const wanted = squash(written);
  if (wanted === "") return undefined;
  let best: { key: ConfigKey; distance: number } | undefined;
  for (const key of CONFIG_KEYS) {
    const distance = levenshtein(wanted, squash(key));
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { key, distance };
  }
  return best?.key;
}

function squash(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}
