import type { Store } from "../store/connection.js";
import { readStreamAfter, streamEnds } from "../store/stream-reader.js";
import { readLines, type LineFormat, type RawRecord } from "./journal-follower.js";
import { JournalView } from "./journal-view.js";

/* entries read at once */
const PAGE = 1000;
/* the store runs whose journals are kept read, the ones looked at last */
const KEEP_VIEWS = 16;

/**
 * Reads a run's journal stream in the store as it grows, from the entry
 * after the last one read: the same records as the journal file (each
 * entry one framed line), read by the file follower's line reader, so a
 * record's offset is where it would be in the file (0: the header). A
 * stream started again (its first entry is another one: trimmed to a
 * snapshot) is read from its start, and `read` says so.
 */
export class StreamFollower implements LineFormat {
  framed: boolean | undefined;
  problem: string | undefined;
  private first: string | undefined;
  private last: string | undefined;
  private bytes = 0;

  constructor(
    private readonly store: Store,
    private readonly runId: string,
  ) {}

  /** Calls `record` with each record added since the last read, in order; "none" when the store has no journal of the run. */
  async read(record: (record: RawRecord, offset: number) => void): Promise<"more" | "restart" | "none"> {
    const ends = await streamEnds(this.store, this.runId);
    if (ends === undefined) return "none";
    let restart = false;
    if (ends.first !== this.first) {
      restart = this.first !== undefined;
      this.first = ends.first;
      this.last = undefined;
      this.bytes = 0;
      this.framed = undefined;
      this.problem = undefined;
    }
    while (this.problem === undefined && this.last !== ends.last) {
      const page = await readStreamAfter(this.store, this.runId, this.last, PAGE);
      if (page.length === 0) break;
      const lines = Buffer.concat(page.flatMap((entry) => [entry.line, NEWLINE]));
      this.bytes += readLines(lines, lines.length, this.bytes, this, record);
      this.last = page[page.length - 1].id;
    }
    return restart ? "restart" : "more";
  }
}

const NEWLINE = Buffer.from("\n");

interface Followed {
  follower: StreamFollower;
  header: RawRecord | undefined;
  view: JournalView | undefined;
  /* one read at a time: two requests that both saw the stream grow would read it twice */
  turn: Promise<unknown>;
}

const followed = new WeakMap<Store, Map<string, Followed>>();

/** What the console knows of a store run's journal: its header, its view, why reading stopped (a damaged record). */
export interface StreamJournal {
  header: RawRecord | undefined;
  view: JournalView | undefined;
  problem: string | undefined;
}

/**
 * The journal of the store's run `runId` as read so far, brought up to
 * date with the entries added since the last call. Undefined view: the
 * store has no journal of that run (yet).
 */
export function streamJournalOf(store: Store, runId: string): Promise<StreamJournal> {
  let runs = followed.get(store);
  if (runs === undefined) followed.set(store, (runs = new Map()));
  let entry = runs.get(runId);
  if (entry === undefined) entry = { follower: new StreamFollower(store, runId), header: undefined, view: undefined, turn: Promise.resolve() };
  else runs.delete(runId);
  // most recently used last; the least recently used beyond KEEP_VIEWS are let go
  runs.set(runId, entry);
  for (const id of runs.keys()) if (runs.size > KEEP_VIEWS) runs.delete(id);
  const current = entry;
  const answer = current.turn.then(() => catchUp(current));
  current.turn = answer.catch(() => undefined);
  return answer;
}

async function catchUp(entry: Followed): Promise<StreamJournal> {
  const read = await entry.follower.read((record, offset) => {
    if (offset === 0) {
      entry.header = record.t === "run" ? record : undefined;
      entry.view = entry.header === undefined ? undefined : new JournalView(record);
    } else entry.view?.add(record);
  });
  if (read === "none") entry.view = entry.header = undefined;
  return { header: entry.header, view: entry.view, problem: entry.follower.problem };
}
