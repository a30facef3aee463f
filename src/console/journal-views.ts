import { join } from "node:path";
import { JOURNAL_FILE } from "../runs/files.js";
import { JournalFollower } from "./journal-follower.js";
import { JournalView } from "./journal-view.js";

/* the runs whose journals are kept read, the ones looked at last; a page switching between more reads again */
const KEEP_VIEWS = 16;

interface Followed {
  follower: JournalFollower;
  view: JournalView | undefined;
  /* the last look (and read) of the file: one at a time, or two requests that both saw it grow would read it at once */
  turn: Promise<void>;
}

const followed = new Map<string, Followed>();

/**
 * The journal of the run in `folder` as read so far, brought up to date:
 * the records written since the last call are read (none when its size,
 * time and inode are unchanged). Undefined when the run has no journal
 * (a run with journal: false) or not even its header yet.
 */
export async function journalViewOf(folder: string): Promise<{ view: JournalView | undefined; problem: string | undefined }> {
  let entry = followed.get(folder);
  if (entry === undefined) {
    entry = { follower: new JournalFollower(join(folder, JOURNAL_FILE)), view: undefined, turn: Promise.resolve() };
    if (followed.size >= KEEP_VIEWS) followed.delete(followed.keys().next().value!);
  } else followed.delete(folder);
  // most recently used last
  followed.set(folder, entry);
  // requests that arrive while it looks or reads wait for that, then look again
  const current = entry;
  const turn = current.turn.then(() => catchUp(current));
  current.turn = turn.then(
    () => undefined,
    () => undefined,
  );
  return turn;
}

async function catchUp(entry: Followed): Promise<{ view: JournalView | undefined; problem: string | undefined }> {
  const mark = await entry.follower.look();
  if (mark === undefined) return { view: undefined, problem: undefined };
  if (entry.follower.changed(mark)) {
    await entry.follower.read((record, offset) => {
      // the header: a new file (the first read, or one a snapshot replaced) starts a new view
      if (offset === 0) entry.view = record.t === "run" ? new JournalView(record) : undefined;
      else entry.view?.add(record);
    }, mark);
  }
  return { view: entry.view, problem: entry.follower.problem };
}
