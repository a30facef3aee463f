import type { Store } from "./connection.js";
import { runKeys } from "./keys.js";

/*
 * The journal stream as the console reads it while the run goes on: a page
 * of entries after the last one read, and the first entry's id, which
 * changes only when the stream was started again (trimmed to a snapshot).
 * Read-only: the console never writes to a run's stream.
 */

/** One entry of a run's journal stream: its id and its record's framed line (no newline). */
export interface StreamEntry {
  id: string;
  line: Buffer;
}

/** Up to `count` entries after the entry `after` (undefined: from the first). */
export async function readStreamAfter(store: Store, runId: string, after: string | undefined, count: number): Promise<StreamEntry[]> {
  const page = await store.redis.xrangeBuffer(runKeys(runId).journal, after === undefined ? "-" : `(${after}`, "+", "COUNT", count);
  return page.map(([id, fields]) => ({ id: id.toString(), line: recordOf(fields) }));
}

/** The ids of the stream's first and last entries, undefined when the run has no stream. */
export async function streamEnds(store: Store, runId: string): Promise<{ first: string; last: string } | undefined> {
  const key = runKeys(runId).journal;
  const [first, last] = await Promise.all([store.redis.xrange(key, "-", "+", "COUNT", 1), store.redis.xrevrange(key, "+", "-", "COUNT", 1)]);
  if (first.length === 0 || last.length === 0) return undefined;
  return { first: first[0][0], last: last[0][0] };
}

/* the entry's `r` field; an entry without one reads as an empty line, which the reader reports as corrupt */
function recordOf(fields: Buffer[]): Buffer {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i].toString() === "r") return fields[i + 1];
  return Buffer.alloc(0);
}
