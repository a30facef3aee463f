import type { EngineCheckpoint } from "../engine/checkpoint.js";
import type { ProcessIdentity } from "./process-identity.js";
import type { Journal } from "./reader.js";
import { encodeValue, type EncodedValue } from "./values.js";

/*
 * Snapshots keep a long-running run's journal as long as its live state,
 * not its history. Once a journal file has grown by journalSnapshotBytes,
 * the writer waits for a moment when the engine is empty (checkpoint.ts:
 * every message instance ended, no timer armed, no token anywhere; the
 * runtime holds message generators back for a moment to let one come) and
 * starts a new file: the header, then one snapshot record, and from there
 * on the records that follow. The new file replaces the old one in one
 * rename once it is on disk, so a crash leaves one or the other, and a
 * resume reads the latest snapshot and what came after it.
 *
 * Why not a snapshot of any state: the engine would have to write out and
 * read back every token, join, loop, timer and deduplication key; and
 * dropping only the inputs of instances that ended while others run cannot
 * be replayed exactly, because the task, token and timer numbers of the
 * instances that remain (the journal's keys, ctx.idempotencyKey, log file
 * names) and the order their tasks got pool slots in depended on the
 * dropped ones. At an empty moment only the numbers and the merged result
 * remain, which the checkpoint carries. A run that is never empty (a
 * timer start event, instances that wait for hours under a steady stream)
 * keeps its whole journal.
 *
 *   snap  {n: {tasks, tokens, frames, arms}, r?: result, done, failed,
 *          owner: {pid, start}, last: {element id: value}, pids: [[pid, start]]}
 */

/** What a snapshot carries besides the engine's checkpoint, kept up as the journal is written. */
export interface JournalTallies {
  /** task executions that returned, and that failed, since the run started */
  done: number;
  failed: number;
  /** failures an error boundary caught (a caught task's "f" record counts here, not in failed) */
  caught: number;
  /** per element, the last message event it got (a source's ctx.lastEvent after a resume) */
  last: Map<string, unknown>;
  /** command process groups still running (a resume kills what a dead runner left) */
  pids: Map<number, number | undefined>;
  /** the process that runs the run */
  owner: ProcessIdentity;
}

export function snapshotJson(checkpoint: EngineCheckpoint, tallies: JournalTallies, at: number): string {
  const { result, ...numbers } = checkpoint;
  const last: Record<string, EncodedValue> = {};
  for (const [node, event] of tallies.last) last[node] = encodeValue(event);
  return JSON.stringify({
    t: "snap",
    at,
    n: numbers,
    r: result === undefined ? undefined : encodeValue(result),
    done: tallies.done,
    failed: tallies.failed,
    caught: tallies.caught,
    owner: tallies.owner,
    last,
    pids: [...tallies.pids],
  });
}

/** The tallies of a journal read back, to go on with after a resume. */
export function talliesOf(journal: Journal, owner: ProcessIdentity): JournalTallies {
  const tallies: JournalTallies = { done: journal.totals?.done ?? 0, failed: journal.totals?.failed ?? 0, caught: journal.totals?.caught ?? 0, last: new Map(journal.lastEvents), pids: new Map(), owner };
  for (const input of journal.inputs) {
    if (input.kind === "done") tallies.done++;
    else if (input.kind === "failed") tallies.failed++;
    else if (input.kind === "emitted" || input.kind === "delivered") tallies.last.set(input.node, input.event);
  }
  for (const note of journal.notes) countNote(tallies, note);
  return tallies;
}

/** What a note changes in the tallies: running process groups, the owner, caught failures. */
export function countNote(tallies: JournalTallies, note: Record<string, unknown>): void {
  if (note.t === "pid" && typeof note.pid === "number") tallies.pids.set(note.pid, note.start as number | undefined);
  else if (note.t === "pid-end" && typeof note.pid === "number") tallies.pids.delete(note.pid);
  else if (note.t === "resume" && typeof note.pid === "number") tallies.owner = { pid: note.pid, start: note.start as number | undefined };
  else if (note.t === "caught") {
    tallies.caught++;
    // a task's caught failure has its "f" record, counted as failed already
    if (typeof note.s === "number") tallies.failed--;
  }
}
