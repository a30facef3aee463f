import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe } from "../errors.js";
import { readJournal } from "../journal/reader.js";
import { JOURNAL_FILE } from "./files.js";
import { isRunFolder } from "./find.js";
import { runFolderOf } from "./places.js";
import { diedRunning, stateOf } from "./state.js";
import { readSummary, summaryFromJournal, writeSummary, type RunSummary } from "./summary.js";
import { existsSync } from "node:fs";

/** A run of the runs folder with its summary. */
export interface ListedRun {
  id: string;
  folder: string;
  summary: RunSummary;
}

/** A run folder whose summary cannot be read, nor made from its journal: listed with the reason rather than hidden. */
export interface UnreadableRun {
  id: string;
  folder: string;
  problem: string;
}

/**
 * Every run under the runs folder, newest first, from their summaries:
 * one small file per run. `project`: the project the folder belongs to,
 * for runs summed up from their journal (see loadSummary).
 */
export async function listRuns(runsFolder: string, project: string): Promise<{ runs: ListedRun[]; unreadable: UnreadableRun[] }> {
  const runs: ListedRun[] = [];
  const unreadable: UnreadableRun[] = [];
  const names = await readdir(runsFolder).catch(() => [] as string[]);
  for (const id of names) {
    const folder = runFolderOf(runsFolder, id);
    if (!isRunFolder(folder)) continue;
    try {
      const summary = await loadSummary(folder, project);
      if (summary === undefined) unreadable.push({ id, folder, problem: "it has neither a summary (run.json) nor a journal" });
      else runs.push({ id, folder, summary });
    } catch (error) {
      unreadable.push({ id, folder, problem: describe(error) });
    }
  }
  return { runs: runs.sort((a, b) => b.summary.startedAt - a.summary.startedAt), unreadable };
}

/**
 * The run's summary: its run.json, unless that is missing or damaged (a
 * run of an older adhesive, a changed byte) or the runner died without
 * ending the run (its counts were written up to a second before it died):
 * then what its journal says, which is then written as its run.json, as
 * "interrupted" without an end. Throws the journal's JournalError when the
 * journal is damaged too; undefined when the folder has neither.
 */
export async function loadSummary(folder: string, project: string): Promise<RunSummary | undefined> {
  const written = await readSummary(folder);
  if (written !== undefined && !(written.state === "running" && diedRunning(written))) return written;
  const file = join(folder, JOURNAL_FILE);
  if (!existsSync(file)) return written;
  const fromJournal = summaryFromJournal(await readJournal(file), written?.project ?? project);
  const summary: RunSummary = { ...fromJournal, control: undefined, journal: true };
  if (summary.state === "running" && diedRunning(summary)) summary.state = "interrupted";
  if (stateOf(summary) !== "running") {
    try {
      writeSummary(folder, summary);
    } catch {
      // a read-only runs folder: summed up again next time
    }
  }
  return summary;
}
