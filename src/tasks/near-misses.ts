import { distance } from "fastest-levenshtein";
import { foldName } from "../model/name-template.js";

/**
 * How far apart two names are for "did you mean": case and runs of blanks
 * do not count. undefined when they are too far apart to be a slip: more
 * than 2 edits or a third of the shorter name, whichever is more, but never
 * more than 4 edits or the whole shorter name.
 */
export function nameDistance(a: string, b: string): number | undefined {
  const left = foldName(a).toLowerCase();
  const right = foldName(b).toLowerCase();
  if (left === "" || right === "") return undefined;
  const edits = distance(left, right);
  const shorter = Math.min(left.length, right.length);
  const allowed = Math.min(4, Math.max(2, Math.floor(shorter / 3)));
  return edits <= allowed && edits < shorter ? edits : undefined;
}

/** The items whose name is closest to `name` (all of those at the smallest distance), nearest first. */
export function closest<T>(name: string, items: readonly T[], namesOf: (item: T) => readonly string[]): T[] {
  let best = Infinity;
  let found: T[] = [];
  for (const item of items) {
    for (const candidate of namesOf(item)) {
      const edits = nameDistance(name, candidate);
      if (edits === undefined || edits > best) continue;
      if (edits < best) found = [];
      best = edits;
      if (!found.includes(item)) found.push(item);
    }
  }
  return found;
}
