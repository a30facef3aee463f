import { JournalLines, type Journal } from "../journal/reader.js";
import type { JournalHeader } from "../journal/records.js";
import { checkFrame } from "../journal/framing.js";
import type { Store } from "./connection.js";
import { fencedScript, runFenced } from "./fence.js";
import { INBOX_GROUP, runKeys } from "./keys.js";
import type { StoreLease } from "./lease.js";

/*
 * A run's journal in the store: a stream with one entry per record, its
 * field `r` the record's line exactly as the journal file holds it (JSON, a
 * tab, the CRC-32; src/journal/framing.ts) without the newline. The entries
 * in order, each followed by a newline, are the journal file; the reader
 * and the replay are the file's.
 *
 * The records of one write go in with one script, after the epoch check
 * (fence.ts), together with the acknowledgements of the inbox messages they
 * record: a message is acknowledged exactly when its record is in.
 *   KEYS epoch, lease, journal, inbox   ARGV epoch, ack count, acks..., lines...
 */
const APPEND = fencedScript(`
local acks = tonumber(ARGV[2])
for i = 3, 2 + acks do redis.call('XACK', KEYS[4], '${INBOX_GROUP}', ARGV[i]) end
local last = ''
for i = 3 + acks, #ARGV do last = redis.call('XADD', KEYS[3], '*', 'r', ARGV[i]) end
return {1, last}
`);

/*
 * A snapshot of the run (src/journal/snapshot.ts) starts the stream anew,
 * as a snapshot starts a new journal file: a copy of the header, then the
 * snapshot record, and everything before them trimmed, all in one fenced
 * script, so a reader (a takeover, resume) sees the old stream or the new
 * one, never a part. The header is copied from the stream's first entry:
 * entry ids only grow, so the new first entries must be added, not kept.
 *   KEYS epoch, lease, journal   ARGV epoch, snapshot line
 */
const SNAPSHOT = fencedScript(`
local first = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', 1)[1]
if not first then return {1, 0} end
local header = ''
for i = 1, #first[2], 2 do if first[2][i] == 'r' then header = first[2][i + 1] end end
local id = redis.call('XADD', KEYS[3], '*', 'r', header)
redis.call('XADD', KEYS[3], '*', 'r', ARGV[2])
redis.call('XTRIM', KEYS[3], 'MINID', id)
return {1, string.len(header) + string.len(ARGV[2]) + 2}
`);

/* entries read at once */
const PAGE = 1000;
const NEWLINE = 0x0a;

/**
 * Appends framed journal lines (what the journal writer's record buffer
 * holds: whole lines, each ending with a newline) to the run's stream, and
 * acknowledges the inbox entries `acks` in the same call. Returns the id of
 * the last entry added. Nothing is written, and an OwnerLostError thrown,
 * once another process owns the run.
 */
export async function appendJournal(lease: StoreLease, lines: Buffer, acks: readonly string[] = []): Promise<string> {
  const records: Buffer[] = [];
  for (let start = 0; start < lines.length; ) {
    let end = lines.indexOf(NEWLINE, start);
    // a buffer of whole lines ends with a newline; anything after the last one is a record too
    if (end < 0) end = lines.length;
    records.push(lines.subarray(start, end));
    start = end + 1;
  }
  const keys = lease.keys;
  const [last] = await runFenced(lease, APPEND, [keys.journal, keys.inbox], [acks.length, ...acks, ...records]);
  return last as string;
}

/**
 * Starts the run's stream anew from a snapshot record (a framed line, its
 * newline at the end or not): the header, the snapshot, nothing before
 * them. Returns the bytes the stream's records now take (the file's size,
 * as a journal file would be). OwnerLostError once another process owns
 * the run, and nothing changed.
 */
export async function snapshotJournal(lease: StoreLease, line: Buffer): Promise<number> {
  const record = line.length > 0 && line[line.length - 1] === NEWLINE ? line.subarray(0, line.length - 1) : line;
  const [bytes] = await runFenced(lease, SNAPSHOT, [lease.keys.journal], [record]);
  return bytes as number;
}

/** What the stream says a journal's records are, for the messages of a corrupt one. */
export function journalStreamName(store: Store, runId: string): string {
  return `${store.address.shown} run ${runId} (journal stream)`;
}

/**
 * Reads a run's journal back from the store, a page of entries at a time,
 * through the journal file's reader: the same checks (checksums, header,
 * records), the same Journal for the replay. A corrupt record is named by
 * its stream entry.
 */
export async function readStreamJournal(store: Store, runId: string): Promise<Journal> {
  const key = runKeys(runId).journal;
  let entry = "";
  const lines = new JournalLines(journalStreamName(store, runId), () => `stream entry ${entry}`);
  for (let after = "-"; ; ) {
    const page = await store.redis.xrangeBuffer(key, after, "+", "COUNT", PAGE);
    for (const [id, fields] of page) {
      entry = id.toString();
      lines.add(recordOf(fields));
    }
    if (page.length < PAGE) break;
    after = `(${entry}`;
  }
  return lines.journal();
}

/** The run's journal header (its first entry), or undefined when the store has no journal of that run. */
export async function readHeader(store: Store, runId: string): Promise<JournalHeader | undefined> {
  const [first] = await store.redis.xrangeBuffer(runKeys(runId).journal, "-", "+", "COUNT", 1);
  if (first === undefined) return undefined;
  const line = recordOf(first[1]);
  const end = checkFrame(line, 0, line.length);
  if (typeof end === "string") throw new Error(`${journalStreamName(store, runId)}: the header (stream entry ${first[0].toString()}) is not a record: ${end}`);
  return JSON.parse(line.subarray(0, end).toString()) as JournalHeader;
}

/* the entry's `r` field; an entry without one is read as an empty line, which the reader reports as corrupt */
function recordOf(fields: Buffer[]): Buffer {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i].toString() === "r") return fields[i + 1];
  return Buffer.alloc(0);
}
