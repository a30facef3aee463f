import { join } from "node:path";
import { JOURNAL_FILE } from "../runs/files.js";
import { INDEX_MIN_BYTES, loadIndex, saveIndex } from "./journal-index.js";
import { JournalFollower } from "./journal-follower.js";
import { JournalView } from "./journal-view.js";

/*
 * The runs whose journals are kept read, the ones looked at last: at most
 * this many, and at most this many timeline entries together (a run of
 * 100k message events has 1.2M, some 40 MB); a run let go is read again
 * from its index (journal-index.ts).
 */
const KEEP_VIEWS = 16;
const KEEP_ENTRIES = 3_000_000;

/** A long read still under way: the bytes read so far of the journal's. */
export interface Reading {
  read: number;
  size: number;
}

interface Followed {
  follower: JournalFollower;
  view: JournalView | undefined;
  /* the last look (and read) of the file: one at a time, or two requests that both saw it grow would read it at once */
  turn: Promise<void>;
  /* how far into the journal its index (the one found or the last written) goes; undefined: not looked for yet */
  indexed: number | undefined;
  /* the size of the journal the read under way reads to (undefined: none), and who waits for its next chunk */
  reading: number | undefined;
  chunkWaiters: Array<() => void>;
}

const followed = new Map<string, Followed>();

/**
 * The journal of the run in `folder` as read so far, brought up to date:
 * the records written since the last call are read (none when its size,
 * time and inode are unchanged). Undefined when the run has no journal
 * (a run with journal: false) or not even its header yet.
 *
 * With `partial`, the answer does not wait for a long read (the first of a
 * 58 MB journal that has no index): it comes after the read's next chunk,
 * with what was read so far and how far the read is (`reading`); the page
 * shows the first screen from it and asks again once the read is done.
 */
export async function journalViewOf(folder: string, options: { partial?: boolean } = {}): Promise<{ view: JournalView | undefined; problem: string | undefined; reading?: Reading }> {
  let entry = followed.get(folder);
  if (entry === undefined) entry = { follower: new JournalFollower(join(folder, JOURNAL_FILE)), view: undefined, turn: Promise.resolve(), indexed: undefined, reading: undefined, chunkWaiters: [] };
  else followed.delete(folder);
  // most recently used last
  followed.set(folder, entry);
  letGo();
  // requests that arrive while it looks or reads wait for that, then look again
  const current = entry;
  const turn = current.turn.then(() => catchUp(folder, current));
  current.turn = turn.then(
    () => undefined,
    () => undefined,
  );
  if (!options.partial) return turn;
  let done = false;
  const whole = turn.then((answer) => ((done = true), answer));
  let wake = () => {};
  const chunk = new Promise<void>((resolve) => (wake = resolve));
  current.chunkWaiters.push(wake);
  await Promise.race([whole, chunk]);
  current.chunkWaiters = current.chunkWaiters.filter((waiter) => waiter !== wake);
  if (done) return whole;
  return { view: current.view, problem: current.follower.problem, reading: current.reading === undefined ? undefined : { read: current.follower.position.offset, size: current.reading } };
}

/** Forgets every journal read (as a console that starts again would): the next request reads each from its index or its start. */
export function forgetJournalViews(): void {
  followed.clear();
}

/* the least recently used views beyond what is kept, never the one just asked for */
function letGo(): void {
  let entries = 0;
  for (const entry of followed.values()) entries += entry.view?.size ?? 0;
  for (const [folder, entry] of followed) {
    if (followed.size <= 1 || (followed.size <= KEEP_VIEWS && entries <= KEEP_ENTRIES)) return;
    entries -= entry.view?.size ?? 0;
    followed.delete(folder);
  }
}

async function catchUp(folder: string, entry: Followed): Promise<{ view: JournalView | undefined; problem: string | undefined }> {
  const mark = await entry.follower.look();
  if (mark === undefined) return { view: undefined, problem: undefined };
  if (entry.indexed === undefined) {
    entry.indexed = 0;
    const index = mark.size >= INDEX_MIN_BYTES ? await loadIndex(folder, entry.follower.file, mark.ino, mark.size) : undefined;
    if (index !== undefined) {
      entry.view = index.view;
      entry.follower.startAt(index.position);
      entry.indexed = index.position.offset;
    }
  }
  if (entry.follower.changed(mark)) {
    entry.reading = mark.size;
    try {
      const read = await entry.follower.read(
        (record, offset) => {
          // the header: a new file (the first read, or one a snapshot replaced) starts a new view
          if (offset === 0) entry.view = record.t === "run" ? new JournalView(record) : undefined;
          else entry.view?.add(record);
        },
        mark,
        () => chunkRead(entry),
      );
      if (read === "restart") entry.indexed = 0;
    } finally {
      entry.reading = undefined;
    }
    keepIndex(folder, entry);
  }
  return { view: entry.view, problem: entry.follower.problem };
}

/* a chunk of a read was applied: those who would rather not wait for all of it look now (a view needs its header first) */
function chunkRead(entry: Followed): void {
  if (entry.view === undefined || entry.chunkWaiters.length === 0) return;
  const waiters = entry.chunkWaiters;
  entry.chunkWaiters = [];
  for (const waiter of waiters) waiter();
}

/*
 * A long journal read far past its index gets a new one, written once the
 * answer has gone (it takes a moment: the view's columns are copied). A
 * journal that stopped at a damaged record keeps none: it is read again
 * and told again.
 */
function keepIndex(folder: string, entry: Followed): void {
  const position = entry.follower.position;
  const indexed = entry.indexed ?? 0;
  if (entry.view === undefined || entry.follower.problem !== undefined || position.offset < INDEX_MIN_BYTES || position.offset - indexed < Math.max(INDEX_MIN_BYTES, indexed / 2)) return;
  entry.indexed = position.offset;
  const view = entry.view;
  setImmediate(() => {
    // the index must hold what was read up to its offset, no more: a view that read on since waits for its next read
    if (entry.view !== view || entry.follower.position.offset !== position.offset) {
      entry.indexed = indexed;
      return;
    }
    // a console that cannot write beside the journal (a folder it may only read) reads it whole next time
    saveIndex(folder, entry.follower.file, view, position).catch(() => undefined);
  });
}
