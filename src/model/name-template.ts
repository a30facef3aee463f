/**
 * Task and lane names may carry `{loop.value}`, `{loop.index}`, `{data.x}` or
 * `{x}` (a top-level data key) placeholders. The template is parsed once per
 * node; rendering only walks the placeholder paths.
 */
export interface NameScope {
  data: Record<string, unknown>;
  loop: unknown;
  lane?: string | undefined;
}

type Part = string | readonly string[];

const PLACEHOLDER = /\{([^{}]+)\}/g;

export class NameTemplate {
  readonly raw: string;
  private readonly parts: readonly Part[] | undefined;

  constructor(raw: string) {
    this.raw = raw;
    this.parts = parse(raw);
  }

  get dynamic(): boolean {
    return this.parts !== undefined;
  }

  render(scope: NameScope): string {
    const parts = this.parts;
    if (!parts) return this.raw;
    let out = "";
    for (const part of parts) {
      out += typeof part === "string" ? part : renderPath(part, scope);
    }
    return out;
  }
}

function parse(raw: string): Part[] | undefined {
  if (!raw.includes("{")) return undefined;
  const parts: Part[] = [];
  let last = 0;
  for (const match of raw.matchAll(PLACEHOLDER)) {
    const index = match.index ?? 0;
    if (index > last) parts.push(raw.slice(last, index));
    parts.push(match[1].trim().split("."));
    last = index + match[0].length;
  }
  if (parts.length === 0) return undefined;
  if (last < raw.length) parts.push(raw.slice(last));
  return parts;
}

/** An unresolvable placeholder stays as written, so the user sees what did not resolve. */
function renderPath(path: readonly string[], scope: NameScope): string {
  let value = lookupRoot(path[0], scope);
  for (let i = 1; i < path.length && value !== undefined && value !== null; i++) {
    value = (value as Record<string, unknown>)[path[i]];
  }
  if (value === undefined) return `{${path.join(".")}}`;
  return formatValue(value);
}

function lookupRoot(name: string, scope: NameScope): unknown {
  switch (name) {
    case "data":
      return scope.data;
    case "loop":
      return scope.loop;
    case "lane":
      return scope.lane;
    default:
      return scope.data[name];
  }
}

function formatValue(value: unknown): string {
  if (value === null || typeof value !== "object") return String(value);
  if (value instanceof Set) return JSON.stringify([...value]);
  if (value instanceof Map) return JSON.stringify(Object.fromEntries(value));
  return JSON.stringify(value);
}

/** Folds whitespace the way modelers wrap labels (`Build\nImage` is `Build Image`). */
export function foldName(name: string | undefined): string {
  return (name ?? "").replace(/\s+/g, " ").trim();
}
