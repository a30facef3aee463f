import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { isPlainObject, newRef, type Data } from "../engine/data.js";
import { mergeInto } from "../engine/merge.js";
import { UsageError, describe } from "../errors.js";

/**
 * `--data '<json>'` and `--data @file.json` (relative to the working
 * directory): each a JSON object, merged in the order given. The result is
 * merged over the initialData the process file passes (see Adhesive.dataOverride).
 */
export async function readDataOptions(values: readonly string[], cwd: string): Promise<Data | undefined> {
  if (values.length === 0) return undefined;
  const data = newRef({});
  for (const value of values) mergeInto(data, await readDataOption(value, cwd));
  return data.data;
}

async function readDataOption(value: string, cwd: string): Promise<Data> {
  if (!value.startsWith("@")) return parseObject(value, "--data");
  const file = resolve(cwd, value.slice(1));
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : describe(error);
    throw new UsageError(`--data ${value}: cannot read ${file}: ${reason}`);
  }
  return parseObject(text, `--data ${value} (${file})`);
}

function parseObject(text: string, what: string): Data {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what}: not valid JSON: ${describe(error)}`);
  }
  if (!isPlainObject(parsed)) {
    const got = Array.isArray(parsed) ? "an array" : parsed === null ? "null" : `a ${typeof parsed}`;
    throw new UsageError(`${what}: must be a JSON object ({"key": value, ...}), got ${got}`);
  }
  // before anything walks it recursively (the check below, merges, copies, the journal), which a deep enough nesting overflows
  if (deeperThan(parsed, MAX_DATA_DEPTH)) {
    throw new UsageError(`${what}: nested more than ${MAX_DATA_DEPTH} levels deep (objects and arrays within one another): give it flatter`);
  }
  const polluting = findKey(parsed, "__proto__");
  // merged into objects that have a prototype, a "__proto__" key would change that prototype
  if (polluting !== undefined) throw new UsageError(`${what}: the key "__proto__" is not allowed (at ${polluting})`);
  return parsed;
}

/** How many objects and arrays within each other `--data` may hold: far more than data needs, far less than what overflows the stack where data is walked recursively. */
export const MAX_DATA_DEPTH = 256;

/* iterative: the value may be nested far too deep for recursion */
export function deeperThan(value: unknown, limit: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [next, depth] = pending.pop()!;
    if (next === null || typeof next !== "object") continue;
    if (depth > limit) return true;
    for (const child of Object.values(next)) if (child !== null && typeof child === "object") pending.push([child, depth + 1]);
  }
  return false;
}

function findKey(value: unknown, key: string, path = "$"): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  for (const [name, child] of Object.entries(value)) {
    const here = Array.isArray(value) ? `${path}[${name}]` : `${path}.${name}`;
    if (name === key) return here;
    const found = findKey(child, key, here);
    if (found !== undefined) return found;
  }
  return undefined;
}
