import type { Store } from "./connection.js";
import { runKeys } from "./keys.js";

/*
 * What the orchestrator told its terminal about a run that the console of
 * another host should see too: a job that waits for a worker longer than
 * schedule_to_start_ms. A capped list beside the run's other keys, newest
 * first; not fenced: a note of a former owner is as true as it was.
 */

/** One note: when, what it says, and the job it is about (`<run>.<seq>.<attempt>`), if any. */
export interface RunNote {
  at: number;
  text: string;
  job: string | undefined;
}

const KEEP_NOTES = 50;

function notesKey(runId: string): string {
  return `${runKeys(runId).info}:notes`;
}

/** Adds a note to the run's list, keeping the newest KEEP_NOTES. */
export async function noteRun(store: Store, runId: string, text: string): Promise<void> {
  const job = /\(job ([^)\s]+)\)/.exec(text)?.[1];
  const note: RunNote = { at: Date.now(), text, job };
  await store.redis.multi().lpush(notesKey(runId), JSON.stringify(note)).ltrim(notesKey(runId), 0, KEEP_NOTES - 1).exec();
}

/** The run's notes, newest first. */
export async function readRunNotes(store: Store, runId: string): Promise<RunNote[]> {
  const notes: RunNote[] = [];
  for (const text of await store.redis.lrange(notesKey(runId), 0, -1)) {
    try {
      notes.push(JSON.parse(text) as RunNote);
    } catch {
      // a note that is not JSON says nothing
    }
  }
  return notes;
}
