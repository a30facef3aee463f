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
  const problem = findProblem(value, path, new Set());
  if (problem !== undefined) throw new DataError(owner, problem.path, problem.reason);
}

interface Problem {
  path: string;
  reason: string;
}

function findProblem(value: unknown, path: string, seen: Set<object>): Problem | undefined {
  switch (typeof value) {
    case "function":
      return { path, reason: `is a function (${value.name || "anonymous"})` };
    case "symbol":
      return { path, reason: "is a Symbol" };
    case "object":
      return value === null ? undefined : findInObject(value, path, seen);
    default:
      return undefined;
  }
}

function findInObject(value: object, path: string, seen: Set<object>): Problem | undefined {
  if (seen.has(value)) return undefined;
  seen.add(value);
  const proto = Object.getPrototypeOf(value);
  if (!KEPT.has(proto)) return { path, reason: `is ${describeInstance(value, proto)}` };
  if (value instanceof Map) {
    for (const [key, item] of value) {
      const problem = findProblem(key, `${path}<key ${String(key)}>`, seen) ?? findProblem(item, `${path}<${String(key)}>`, seen);
      if (problem) return problem;
    }
    return undefined;
  }
  if (value instanceof Set) {
    for (const item of value) {
      const problem = findProblem(item, `${path}<member>`, seen);
      if (problem) return problem;
    }
    return undefined;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp || value instanceof Error) return undefined;
  for (const key of Object.keys(value)) {
    const problem = findProblem((value as Record<string, unknown>)[key], Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, seen);
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
