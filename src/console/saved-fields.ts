import { Column, type Typed } from "./columns.js";

/*
 * An object's fields as a checkpoint keeps them (journal-index.ts, through
 * v8.serialize): each column (alone or in an array) as a typed array of its
 * length; a map of numbers to plain JSON (the timeline's extras: errors,
 * changes, events) as its keys and the JSON text of each value, parsed
 * when one is asked for (v8 makes 100k small objects slowly, and a page
 * asks for a few hundred); the rest as it is. `restored` makes the object
 * again, without its constructor.
 */

type SavedColumn = { column: Typed };
type JsonMap = { keys: Float64Array; starts: Int32Array; json: string };

export function savedFields(object: object): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const saved = (value: unknown): unknown => (value instanceof Column ? ({ column: value.trimmed() } satisfies SavedColumn) : value instanceof Map ? (jsonMap(value) ?? value) : value);
  for (const [key, value] of Object.entries(object)) fields[key] = Array.isArray(value) ? value.map(saved) : saved(value);
  return fields;
}

export function restored<T extends object>(prototype: T, fields: Record<string, unknown>): T {
  const object = Object.create(prototype) as Record<string, unknown>;
  const field = (value: unknown): unknown => {
    if (value === null || typeof value !== "object") return value;
    if (ArrayBuffer.isView(value)) return own(value as Typed);
    if ("keys" in value && "starts" in value && "json" in value) {
      const saved = value as JsonMap;
      return new SavedMap({ keys: own(saved.keys), starts: own(saved.starts), json: saved.json });
    }
    if (!("column" in value) || !ArrayBuffer.isView(value.column)) return value;
    const values = own((value as SavedColumn).column);
    const make = (n: number) => new (values.constructor as new (n: number) => Typed)(n);
    return new Column(make).restore(values);
  };
  for (const [key, value] of Object.entries(fields)) object[key] = Array.isArray(value) ? value.map(field) : field(value);
  return object as T;
}

/* v8.deserialize gives typed arrays that may be views of the whole index it read: a copy each lets that go */
function own<T extends Typed | Float64Array | Int32Array>(values: T): T {
  return values.byteLength === values.buffer.byteLength ? values : (values.slice() as T);
}

/* a map of numbers to values JSON keeps as they are, by key; undefined for another (a value decoded by v8, held as { v }, may be a Date or a Map) */
function jsonMap(map: Map<unknown, unknown>): JsonMap | undefined {
  const entries = [...map];
  if (!entries.every(([key]) => typeof key === "number")) return undefined;
  entries.sort((a, b) => (a[0] as number) - (b[0] as number));
  const keys = new Float64Array(entries.length);
  const starts = new Int32Array(entries.length + 1);
  const texts: string[] = [];
  let plain = true;
  const check = (key: string, value: unknown) => {
    // a property left undefined is left out, as the readers take it; a value that is undefined is not JSON
    if (key === "v" || (key === "" && value === undefined) || typeof value === "bigint" || (typeof value === "number" && !Number.isFinite(value))) plain = false;
    else if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) plain = false;
    // the map is kept whole then: what is left is not looked at
    return plain ? value : undefined;
  };
  let length = 0;
  for (let i = 0; i < entries.length && plain; i++) {
    const text = JSON.stringify(entries[i][1], check) ?? "";
    keys[i] = entries[i][0] as number;
    starts[i] = length;
    texts.push(text);
    length += text.length;
  }
  starts[entries.length] = length;
  return plain ? { keys, starts, json: texts.join("") } : undefined;
}

/** A map restored from a checkpoint: each value is parsed from its JSON text when first asked for, then held as any other. */
export class SavedMap<V> extends Map<number, V> {
  private readonly saved: JsonMap;
  /* the saved entries already parsed (or set or deleted since), which the map itself holds */
  private readonly taken: Uint8Array;
  private untaken: number;

  constructor(saved: JsonMap) {
    super();
    this.saved = saved;
    this.taken = new Uint8Array(saved.keys.length);
    this.untaken = saved.keys.length;
  }

  override get(key: number): V | undefined {
    const i = this.find(key);
    if (i >= 0) this.take(i);
    return super.get(key);
  }

  override has(key: number): boolean {
    const i = this.find(key);
    return (i >= 0 && this.taken[i] === 0) || super.has(key);
  }

  override set(key: number, value: V): this {
    const i = this.find(key);
    if (i >= 0 && this.taken[i] === 0) {
      this.taken[i] = 1;
      this.untaken--;
    }
    return super.set(key, value);
  }

  override delete(key: number): boolean {
    const i = this.find(key);
    if (i >= 0) this.take(i);
    return super.delete(key);
  }

  override clear(): void {
    this.taken.fill(1);
    this.untaken = 0;
    super.clear();
  }

  override get size(): number {
    return super.size + this.untaken;
  }

  override entries(): MapIterator<[number, V]> {
    this.takeAll();
    return super.entries();
  }

  override keys(): MapIterator<number> {
    this.takeAll();
    return super.keys();
  }

  override values(): MapIterator<V> {
    this.takeAll();
    return super.values();
  }

  override forEach(callback: (value: V, key: number, map: Map<number, V>) => void, thisArg?: unknown): void {
    this.takeAll();
    super.forEach(callback, thisArg);
  }

  override [Symbol.iterator](): MapIterator<[number, V]> {
    return this.entries();
  }

  private take(i: number): void {
    if (this.taken[i] === 1) return;
    this.taken[i] = 1;
    this.untaken--;
    super.set(this.saved.keys[i], JSON.parse(this.saved.json.slice(this.saved.starts[i], this.saved.starts[i + 1])) as V);
  }

  private takeAll(): void {
    for (let i = 0; i < this.taken.length && this.untaken > 0; i++) this.take(i);
  }

  /* the position of `key` among the saved keys, or -1 */
  private find(key: number): number {
    const keys = this.saved.keys;
    let low = 0;
    let high = keys.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (keys[middle] < key) low = middle + 1;
      else if (keys[middle] > key) high = middle - 1;
      else return middle;
    }
    return -1;
  }
}
