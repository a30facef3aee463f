/*
 * Growable typed arrays: the console keeps one number per journal record
 * and field (a run of 100k message events has over a million records),
 * not one object per record, so a long run costs a few bytes a record and
 * no work for the garbage collector.
 */

export type Typed = Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer> | Uint16Array<ArrayBuffer>;

export class Column<T extends Typed> {
  private values: T;
  private readonly make: (size: number) => T;
  length = 0;

  constructor(make: (size: number) => T, initial = 1024) {
    this.make = make;
    this.values = make(initial);
  }

  push(value: number): number {
    if (this.length === this.values.length) this.grow(this.length * 2);
    this.values[this.length] = value;
    return this.length++;
  }

  get(i: number): number {
    return this.values[i];
  }

  /** Sets position i, which is below length (no growing, no checks: the hot paths that know it). */
  put(i: number, value: number): void {
    this.values[i] = value;
  }

  /** Sets position i, growing the column (with `fill` in between) when it is beyond the end. */
  set(i: number, value: number, fill = 0): void {
    if (i >= this.values.length) this.grow(Math.max(i + 1, this.values.length * 2));
    if (i >= this.length) {
      this.values.fill(fill, this.length, i);
      this.length = i + 1;
    }
    this.values[i] = value;
  }

  /** A copy of its values, no more: what a checkpoint keeps (a view of them would keep the whole buffer). */
  trimmed(): T {
    return this.values.slice(0, this.length) as T;
  }

  /** Takes `values` (a checkpoint's) as its own. */
  restore(values: T): this {
    this.values = values.length > 0 ? values : this.make(16);
    this.length = values.length;
    return this;
  }

  private grow(size: number): void {
    const bigger = this.make(size);
    bigger.set(this.values);
    this.values = bigger;
  }
}

export const float64s = (initial?: number) => new Column((n) => new Float64Array(n), initial);
export const int32s = (initial?: number) => new Column((n) => new Int32Array(n), initial);
export const uint8s = (initial?: number) => new Column((n) => new Uint8Array(n), initial);
export const uint16s = (initial?: number) => new Column((n) => new Uint16Array(n), initial);
