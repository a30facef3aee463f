import { isDeepStrictEqual } from "node:util";
import { AdhesiveError } from "../errors.js";
import { cloneValue } from "./clone.js";
import { dataProblem } from "./data-check.js";
import { DataError } from "../errors.js";
import { ownValue, setKey, shallowCopy, type Data } from "./data.js";

/** The token's data after a task, when the task changed it. */
export interface TaskDataResult {
  data: Data;
  /** the values the task put in data: only this data holds them */
  fresh: Set<object>;
  /** top-level keys whose value changed (absent from `data`: deleted) */
  changed: string[];
}

/**
 * What a task sees as `ctx.data`: a copy-on-write view of its token's data,
 * which other tokens may share. The top level is a shallow copy; a nested
 * value is copied the first time the task reads it, so a task pays for what
 * it touches, never for the whole data (a 20k-item list nobody reads costs
 * nothing per iteration). When the task ends, a copied value that still
 * equals the original is dropped again, so reading is not a change: the
 * result shares everything the task did not change, and `changed` is the
 * task's delta. Values the task put in data are checked (data-check.ts).
 *
 * A Proxy because nothing else sees every read: accessors would show as
 * `[Getter/Setter]` in console.log(ctx.data). `structuredClone(ctx.data)`
 * refuses proxies; `structuredClone({ ...ctx.data })` works.
 */
export class TaskData implements ProxyHandler<Data> {
  readonly proxy: Data;
  private readonly base: Data;
  private readonly target: Data;
  private readonly taskName: string;
  private readonly elementId: string;
  private written: Set<string> | undefined;
  private copied: Set<string> | undefined;
  private ended = false;

  constructor(base: Data, taskName: string, elementId: string) {
    this.base = base;
    this.target = shallowCopy(base);
    this.taskName = taskName;
    this.elementId = elementId;
    this.proxy = new Proxy(this.target, this);
  }

  get(target: Data, key: string | symbol, receiver: unknown): unknown {
    const value: unknown = Reflect.get(target, key, receiver);
    if (typeof key !== "string" || typeof value !== "object" || value === null) return value;
    return this.unshared(target, key, value);
  }

  getOwnPropertyDescriptor(target: Data, key: string | symbol): PropertyDescriptor | undefined {
    if (typeof key === "string" && Object.hasOwn(target, key)) this.unshared(target, key, target[key]);
    return Reflect.getOwnPropertyDescriptor(target, key);
  }

  set(target: Data, key: string | symbol, value: unknown, receiver: unknown): boolean {
    if (typeof key !== "string") return Reflect.set(target, key, value, receiver);
    this.write(key);
    setKey(target, key, value);
    return true;
  }

  deleteProperty(target: Data, key: string | symbol): boolean {
    if (typeof key === "string") this.write(key);
    return Reflect.deleteProperty(target, key);
  }

  defineProperty(target: Data, key: string | symbol, descriptor: PropertyDescriptor): boolean {
    if (typeof key === "string") this.write(key);
    return Reflect.defineProperty(target, key, descriptor);
  }

  /**
   * Ends the view. Returns the new data, or undefined when the task changed
   * nothing (the token keeps sharing its data). Throws a DataError for a
   * value data cannot hold.
   */
  finish(): TaskDataResult | undefined {
    this.ended = true;
    const changed: string[] = [];
    for (const key of this.copied ?? []) {
      if (this.written?.has(key)) continue;
      const original = ownValue(this.base, key);
      if (isDeepStrictEqual(this.target[key], original)) setKey(this.target, key, original);
      else changed.push(key);
    }
    for (const key of this.written ?? []) changed.push(key);
    if (changed.length === 0) return undefined;
    const fresh = new Set<object>();
    for (const key of changed) {
      if (!Object.hasOwn(this.target, key)) continue;
      const value = this.target[key];
      const problem = dataProblem(value);
      if (problem !== undefined) throw new DataError(`task "${this.taskName}" (${this.elementId})`, `data.${key}${problem.path}`, problem.reason);
      if (typeof value === "object" && value !== null) fresh.add(value);
    }
    return { data: this.target, fresh, changed };
  }

  /** The task failed or was cancelled: nothing it did to its data is kept, and later writes are refused. */
  discard(): void {
    this.ended = true;
  }

  /* the first read of a value still shared with the token's data gets the task its own copy */
  private unshared(target: Data, key: string, value: unknown): unknown {
    if (this.ended || value !== ownValue(this.base, key) || !Object.hasOwn(target, key)) return value;
    const copy = cloneValue(value);
    setKey(target, key, copy);
    (this.copied ??= new Set()).add(key);
    return copy;
  }

  private write(key: string): void {
    if (this.ended) {
      throw new AdhesiveError(
        "ADHESIVE_DATA_AFTER_END",
        `task "${this.taskName}" (${this.elementId}) changed ctx.data.${key} after it ended; await the work that changes data before the task returns`,
      );
    }
    (this.written ??= new Set()).add(key);
  }
}
