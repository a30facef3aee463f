import type { Journal } from "../journal/reader.js";
import { isAlive, processIdentity } from "../journal/process-identity.js";
import type { RunJournal } from "../journal/journal-records.js";
import { killLeftoverGroup, listenToCommandGroups } from "../processes/groups.js";

/**
 * Notes every command's process group in the run's journal while the run
 * lasts, so that resuming it after the runner died can kill what it left
 * (the supervisor does so too, within seconds; this makes sure before
 * anything runs again). Returns the function that stops noting.
 */
export function noteCommandGroups(writer: RunJournal | undefined): () => void {
  if (writer === undefined) return () => undefined;
  return listenToCommandGroups({
    started: (pgid) => writer.note({ t: "pid", ...processIdentity(pgid), at: Date.now() }),
    ended: (pgid) => writer.note({ t: "pid-end", pid: pgid, at: Date.now() }),
  });
}

/** Kills the command groups the journal shows running when the run stopped, if that very process is still alive. */
export function killLeftovers(journal: Journal): number {
  const live = new Map<number, number | undefined>();
  for (const note of journal.notes) {
    if (note.t === "pid" && typeof note.pid === "number") live.set(note.pid, note.start as number | undefined);
    else if (note.t === "pid-end" && typeof note.pid === "number") live.delete(note.pid);
  }
  let killed = 0;
  for (const [pid, start] of live) if (isAlive({ pid, start }) && killLeftoverGroup(pid)) killed++;
  return killed;
}
