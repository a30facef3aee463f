import { readFile } from "node:fs/promises";
import { delimiter, dirname } from "node:path";
import type { YAMLError } from "yaml";
import type { ConfigProblem } from "./config-error.js";
import { CONFIG_KEYS, KEY_SPECS, isConfigKey, type ConfigKey } from "./schema.js";
import { describeValue, suggestKey } from "./describe.js";

export const ENV_PREFIX = "ADHESIVE_";

/** The raw values of one source of configuration, before validation. */
export interface RawLayer {
  readonly kind: "file" | "env";
  /** relative paths in this layer resolve against it */
  readonly base: string;
  readonly values: Record<string, unknown>;
  /** what `Config.sources` records for a key set here: the file path or the variable name */
  source(key: string): string;
  /** how messages name the place a key was set */
  where(key: string): string;
}

export interface ReadResult {
  /** undefined when the file does not exist, or cannot be used at all */
  layer: RawLayer | undefined;
  problems: ConfigProblem[];
}

/** Reads a YAML config file; a missing file is no layer, not an error. */
export async function readFileLayer(file: string): Promise<ReadResult> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR: `.adhesive` is a file, so there is no config file below it either
    if (code === "ENOENT" || code === "ENOTDIR") return { layer: undefined, problems: [] };
    return failed(file, `${file}: cannot read the config file: ${readFailure(code, error)}`);
  }
  // loaded when there is a config file, not on every start
  const { parseDocument } = await import("yaml");
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    return { layer: undefined, problems: document.errors.map((error) => ({ source: file, key: undefined, message: yamlProblem(file, error) })) };
  }
  let values: unknown;
  try {
    values = document.toJS();
  } catch (error) {
    // aliases are only resolved here (an undefined anchor, or too many expansions)
    return failed(file, `${file}: invalid YAML: ${(error as Error).message}`);
  }
  // an empty file, or one whose settings are all commented out, sets nothing
  if (values === null || values === undefined) values = {};
  if (!isMapping(values)) {
    return failed(file, `${file}: the file must be a mapping of keys to values (like "pool_size: 4"), got ${describeValue(values)}`);
  }
  const layer: RawLayer = { kind: "file", base: dirname(file), values, source: () => file, where: () => file };
  return { layer, problems: [] };
}

/**
 * Collects `ADHESIVE_<KEY>` variables. Values are strings, so they are coerced
 * to the type each key expects; a string that does not coerce is left as is for
 * the schema to reject with the usual message. An empty variable counts as
 * unset, which is how shells let one clear a variable for a single command.
 */
export function readEnvLayer(env: Readonly<Record<string, string | undefined>>, cwd: string): ReadResult {
  const values: Record<string, unknown> = {};
  const names = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined || value === "") continue;
    const suffix = name.slice(ENV_PREFIX.length);
    const key = suffix.toLowerCase();
    if (!isConfigKey(key) || suffix !== key.toUpperCase()) {
      problems.push({ source: name, key: undefined, message: unknownEnvProblem(name, suffix) });
      continue;
    }
    values[key] = coerce(KEY_SPECS[key].env, value);
    names.set(key, name);
  }
  const variable = (key: string) => names.get(key) ?? `${ENV_PREFIX}${key.toUpperCase()}`;
  const layer: RawLayer = {
    kind: "env",
    base: cwd,
    values,
    source: variable,
    where: (key) => `environment variable ${variable(key)}`,
  };
  return { layer, problems };
}

export function unknownFileKeyProblem(file: string, key: string): string {
  const guess = suggestKey(key);
  const hint = guess ? ` (did you mean ${guess}?)` : "";
  return `${file}: unknown key "${key}"${hint}; known keys: ${CONFIG_KEYS.join(", ")}`;
}

function unknownEnvProblem(name: string, suffix: string): string {
  const guess = suggestKey(suffix);
  const hint = guess ? ` (did you mean ${ENV_PREFIX}${guess.toUpperCase()}?)` : "";
  const known = CONFIG_KEYS.map((key) => ENV_PREFIX + key.toUpperCase()).join(", ");
  return `environment variable ${name}: not a configuration key${hint}; known variables: ${known}`;
}

const TRUE_WORDS = new Set(["true", "1", "yes"]);
const FALSE_WORDS = new Set(["false", "0", "no"]);

function coerce(kind: (typeof KEY_SPECS)[ConfigKey]["env"], value: string): unknown {
  switch (kind) {
    case "boolean": {
      const word = value.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      return value;
    }
    case "integer":
      return /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : value;
    case "list":
      // `a::b` or a trailing delimiter is a slip of the keyboard, not an empty folder name
      return value.split(delimiter).filter((item) => item.trim() !== "");
    case "json":
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return value;
      }
    case "string":
      return value;
  }
}

function yamlProblem(file: string, error: YAMLError): string {
  const at = error.linePos?.[0];
  const place = at ? `${file}:${at.line}:${at.col}` : file;
  // the library's message ends with " at line L, column C:" and a code frame; the place is already in front
  const reason =
    error.code === "MULTIPLE_DOCS" ? "the file holds more than one YAML document (a second ---)" : error.message.split(/ at line \d+, column \d+:/)[0].trim();
  return `${place}: invalid YAML: ${reason}`;
}

function readFailure(code: string | undefined, error: unknown): string {
  if (code === "EISDIR") return "it is a folder";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return code ?? (error as Error).message;
}

function failed(file: string, message: string): ReadResult {
  return { layer: undefined, problems: [{ source: file, key: undefined, message }] };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
