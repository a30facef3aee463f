import { DataError } from "../errors.js";

/* Prototypes of the values structuredClone copies faithfully (and the journal can store). */
const KEPT = new Set<unknown>([
  Object.prototype,
  null,
  Array.prototype,
  Map.prototype,
  Set.prototype,
  Date.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  DataView.prototype,
  Buffer.prototype,
  Error.prototype,
  EvalError.prototype,
  RangeError.prototype,
  ReferenceError.prototype,
  SyntaxError.prototype,
  TypeError.prototype,
  URIError.prototype,
  Boolean.prototype,
  Number.prototype,
  String.prototype,
  ...[Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array].map((type) => type.prototype),
]);

/**
 * Data is copied at forks, merged at joins and stored in the run's journal,
 * so it must hold plain values. Anything that would silently change on the
 * way (a class instance losing its prototype, a function, a Promise becoming
 * `{}`) is refused here, naming the key path, instead of corrupting data
 * later. Cycles are fine. Costs the size of the value checked, so callers
 * check only what changed.
 */
export function checkData(value: unknown, path: string, owner: string): void {
  const problem = dataProblem(value);
  if (problem !== undefined) throw new DataError(owner, `${path}${problem.path}`, problem.reason);
}

export interface DataProblem {
  /** below the value checked: "" (the value itself), ".key", "[0]", "<key>" ... */
  path: string;
  reason: string;
}

/**
 * The first thing inside `value` that data cannot hold. Paths are built only
 * on the way back from a problem, and a primitive costs one typeof: every
 * message event and every key a task changes passes here.
 */
export function dataProblem(value: unknown): DataProblem | undefined {
  const type = typeof value;
  if (type !== "object" && type !== "function" && type !== "symbol") return undefined;
  if (typeof value === "object" && value !== null && isFlatRecord(value)) return undefined;
  return findProblem(value, new Set());
}

/* a plain object of primitives (the usual message event) holds nothing to refuse and no cycle: no Set to track what was seen */
function isFlatRecord(value: object): boolean {
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) return false;
    const item = (value as Record<string, unknown>)[key];
    if (item !== null && (typeof item === "object" || typeof item === "function" || typeof item === "symbol")) return false;
  }
  return true;
}

function findProblem(value: unknown, seen: Set<object>): DataProblem | undefined {
  switch (typeof value) {
    case "function":
      return { path: "", reason: `is a function (${value.name || "anonymous"})` };
    case "symbol":
      return { path: "", reason: "is a Symbol" };
    case "object":
      return value === null ? undefined : findInObject(value, seen);
    default:
      return undefined;
  }
}

function below(problem: DataProblem | undefined, segment: string): DataProblem | undefined {
  if (problem !== undefined) problem.path = `${segment}${problem.path}`;
  return problem;
}

function findInObject(value: object, seen: Set<object>): DataProblem | undefined {
  if (seen.has(value)) return undefined;
  seen.add(value);
  const proto = Object.getPrototypeOf(value);
  if (!KEPT.has(proto)) return { path: "", reason: `is ${describeInstance(value, proto)}` };
  if (value instanceof Map) {
    for (const [key, item] of value) {
      const problem = below(findProblem(key, seen), `<key ${String(key)}>`) ?? below(findProblem(item, seen), `<${String(key)}>`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (value instanceof Set) {
    for (const item of value) {
      const problem = below(findProblem(item, seen), "<member>");
      if (problem) return problem;
    }
    return undefined;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp || value instanceof Error) return undefined;
  for (const key of Object.keys(value)) {
    const problem = below(findProblem((value as Record<string, unknown>)[key], seen), Array.isArray(value) ? `[${key}]` : `.${key}`);
    if (problem) return problem;
  }
  return undefined;
}

function describeInstance(value: object, proto: object): string {
  if (value instanceof Promise) return "a Promise (await it and store its result)";
  if (value instanceof WeakMap || value instanceof WeakSet) return `a ${value instanceof WeakMap ? "WeakMap" : "WeakSet"}, which cannot be copied`;
  const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
  return `an instance of ${typeof name === "string" && name ? `class ${name}` : "a class"}, which would lose its prototype when data is copied (store its fields as a plain object)`;
}
