import { UsageError } from "../errors.js";
import { foldName } from "../model/name-template.js";
import { escapeRegExp } from "../escape-regexp.js";

/**
 * A task name matches literally, except that `{...}` placeholders match
 * anything (a process label `Build on {loop.value}` and an implementation
 * named the same must match before and after interpolation).
 */
export function nameToPattern(name: string): RegExp {
  const folded = foldName(name);
  let source = "";
  let last = 0;
  for (const match of folded.matchAll(/\{[^{}]*\}/g)) {
    source += escapeRegExp(folded.slice(last, match.index)) + ".*?";
    last = (match.index ?? 0) + match[0].length;
  }
  source += escapeRegExp(folded.slice(last));
  return new RegExp(`^${source}$`);
}

export function toRegExp(re: string | RegExp): RegExp {
  if (re instanceof RegExp) return re;
  try {
    return new RegExp(re);
  } catch (error) {
    throw new UsageError(`invalid task regular expression ${JSON.stringify(re)}: ${(error as Error).message}`);
  }
}

/** Capture groups of the first pattern matching `name`, or undefined. */
export function matchName(patterns: readonly RegExp[], name: string): string[] | undefined {
  for (const pattern of patterns) {
    const match = pattern.exec(name);
    if (match) return match.slice(1);
  }
  return undefined;
}

/** The capture groups for the first of `names` that a pattern matches (an element's rendered name, then its name or its message's); none when none does. */
export function groupsFor(patterns: readonly RegExp[], ...names: Array<string | undefined>): string[] {
  for (const name of names) {
    const groups = name === undefined ? undefined : matchName(patterns, name);
    if (groups !== undefined) return groups;
  }
  return [];
}
