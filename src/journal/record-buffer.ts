import { FRAME_BYTES, writeFrame } from "./framing.js";

/**
 * The bytes of the records a turn of the event loop produced, until they are
 * written. The two records every task writes (its start, and a completion
 * that changed nothing) are put together byte by byte from pre-encoded
 * pieces and the digits of their numbers: building a string per record
 * first and encoding it again cost more than the rest of the journal
 * (measured: about 190 ns a record that way, a fraction of that this way).
 * Everything else is written as the JSON text records.ts makes. Each
 * record ends with seal(), which adds its checksum and newline (framing.ts)
 * over the bytes already here, so no record is encoded twice.
 */
export class RecordBuffer {
  private bytes = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  /* where the record being put together starts */
  private start = 0;
  /* writes the records still held open (a run of starts or completions) into the bytes */
  private closer: (() => void) | undefined;
  /* the last time() written, and its digits */
  private lastTime = NaN;
  private readonly timeDigits = new Uint8Array(10);
  private timeLength = 0;

  /** How many bytes there are, the records held open written first. */
  get length(): number {
    if (this.closer !== undefined) this.closer();
    return this.used;
  }

  /** All the bytes the buffer holds, the first `length` of them its records: for a write, which needs no view of them. */
  get whole(): Buffer {
    return this.bytes;
  }

  /** The bytes so far, the records held open written first; they stay valid until the next write. */
  view(): Buffer {
    if (this.closer !== undefined) this.closer();
    return this.bytes.subarray(0, this.used);
  }

  /** Records are held open (not in the bytes yet): `closer` writes them, and letGo() says it did. */
  holdOpen(closer: () => void): void {
    this.closer = closer;
  }

  letGo(): void {
    this.closer = undefined;
  }

  clear(): void {
    this.used = 0;
    this.start = 0;
  }

  /** The record since the last seal() is complete: its checksum and newline follow it. */
  seal(): void {
    this.reserve(FRAME_BYTES);
    this.used = writeFrame(this.bytes, this.start, this.used);
    this.start = this.used;
  }

  text(text: string): void {
    this.reserve(text.length * 3);
    this.used += this.bytes.write(text, this.used);
  }

  /** Room for `extra` more bytes: piece() and int() do not check, so a record reserves what it writes first. */
  reserve(extra: number): void {
    if (this.used + extra > this.bytes.length) this.grow(extra);
  }

  /* a byte loop: for pieces this short it beats a native copy, which pays for the call */
  piece(piece: Buffer): void {
    const length = piece.length;
    const bytes = this.bytes;
    let at = this.used;
    for (let i = 0; i < length; i++) bytes[at++] = piece[i];
    this.used = at;
  }

  /** A number as JSON: whole numbers from 0 to 2^31 - 1 digit by digit, any other (a time before the run's start) as its text. */
  int(n: number): void {
    if (!(n >= 0 && n <= 0x7fffffff && (n | 0) === n)) {
      this.text(JSON.stringify(n));
      return;
    }
    const bytes = this.bytes;
    let end = this.used + digitsOf(n);
    this.used = end;
    // two digits per division: the divisions are most of the cost
    while (n >= 100) {
      const q = (n / 100) | 0;
      const pair = (n - q * 100) << 1;
      bytes[--end] = PAIRS[pair + 1];
      bytes[--end] = PAIRS[pair];
      n = q;
    }
    if (n >= 10) {
      bytes[--end] = PAIRS[(n << 1) + 1];
      bytes[--end] = PAIRS[n << 1];
    } else bytes[--end] = 48 + n;
  }

  /** A record's time, as int(): the records of one write mostly share it, so its digits are kept and copied. */
  time(n: number): void {
    if (n !== this.lastTime) {
      const start = this.used;
      this.int(n);
      this.lastTime = n;
      this.timeLength = this.used - start;
      // a longer text (a fraction of a millisecond) is written again each time
      if (this.timeLength > this.timeDigits.length) this.lastTime = NaN;
      else this.bytes.copy(this.timeDigits, 0, start, this.used);
      return;
    }
    const digits = this.timeDigits;
    const bytes = this.bytes;
    let at = this.used;
    for (let i = 0; i < this.timeLength; i++) bytes[at++] = digits[i];
    this.used = at;
  }

  private grow(extra: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + extra));
    this.bytes.copy(bigger, 0, 0, this.used);
    this.bytes = bigger;
  }
}

/* the ASCII digits of 00 to 99 */
const PAIRS = new Uint8Array(200);
for (let n = 0; n < 100; n++) {
  PAIRS[n * 2] = 48 + ((n / 10) | 0);
  PAIRS[n * 2 + 1] = 48 + (n % 10);
}

/* for 0 <= n < 2^31 */
function digitsOf(n: number): number {
  if (n < 1e4) return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : 4;
  if (n < 1e8) return n < 1e5 ? 5 : n < 1e6 ? 6 : n < 1e7 ? 7 : 8;
  return n < 1e9 ? 9 : 10;
}

/**
 * Keeps the bytes of one element's records in a per-node cache (by
 * GraphNode.index), filling it with undefined up to the index first, so it
 * never has holes: a run's fresh array whose first store was at index 5
 * became a holey one, and the optimized code that reads the caches
 * (writeOne, writeList, writeEvents) was thrown away ("wrong map" under
 * --trace-deopt) and compiled again in the runs after a process's first.
 */
export function keep(cache: Array<Buffer | undefined>, index: number, bytes: Buffer): Buffer {
  while (cache.length < index) cache.push(undefined);
  cache[index] = bytes;
  return bytes;
}

const pieces = new Map<string, Buffer>();

/** A constant piece of a record, encoded once. */
export function piece(text: string): Buffer {
  let bytes = pieces.get(text);
  if (bytes === undefined) pieces.set(text, (bytes = Buffer.from(text)));
  return bytes;
}

/* the pieces every kind of record has */
/** What a start or completion record reserves beside its node ids: its constant pieces and numbers of 24 characters at most. */
export const RECORD_BYTES = 96;

export const COMMA = piece(",");
export const CLOSE_LIST = piece("]");
export const INSTANCE = piece(',"i":');
export const AT = piece(',"at":');
export const END = piece("}");
