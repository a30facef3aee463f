import { readdirSync, readFileSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";
import { describe } from "../errors.js";
import type { RunState } from "../journal/records.js";
import { JOURNAL_FILE, SUMMARY_FILE } from "../runs/files.js";
import { loadSummary } from "../runs/list.js";
import { runFolderOf } from "../runs/places.js";
import { diedRunning, stateOf } from "../runs/state.js";
import { parseSummary, type RunSummary } from "../runs/summary.js";
import { runDataText } from "./run-data-text.js";

/** A run folder whose summary cannot be read, nor made from its journal. */
export interface UnreadableFolder {
  id: string;
  problem: string;
}

/** A run of the folder with how it stands now. */
export interface IndexedRun {
  id: string;
  folder: string;
  summary: RunSummary;
  /** the summary's state, except that a run whose owner died is "interrupted" (state.ts) */
  state: RunState;
}

interface Entry {
  /* the sizes and times of run.json and the journal when the summary was read */
  key: string;
  summary: RunSummary | undefined;
  problem: string | undefined;
  /* what a text search looks in beyond the id and names: the run's data, read once it is asked for */
  dataText: Promise<string> | undefined;
}

/**
 * Every run of a runs folder, kept between requests: a run folder is read
 * again only when its run.json or journal changed size or time, so a
 * request over 1000 finished runs costs a readdir and two stats per run,
 * never a journal. A run summed up from its journal (no intact run.json,
 * or its runner died) is read once per change of that journal.
 */
export class RunIndex {
  readonly runsFolder: string;
  readonly project: string;
  private readonly entries = new Map<string, Entry>();

  constructor(runsFolder: string, project: string) {
    this.runsFolder = runsFolder;
    this.project = project;
  }

  /** The project's runs, newest first, and the folders that cannot be read. */
  async runs(): Promise<{ runs: IndexedRun[]; unreadable: UnreadableFolder[] }> {
    let names: string[];
    try {
      names = readdirSync(this.runsFolder);
    } catch {
      names = [];
    }
    const seen = new Set<string>();
    const runs: IndexedRun[] = [];
    const unreadable: UnreadableFolder[] = [];
    for (const id of names) {
      const folder = runFolderOf(this.runsFolder, id);
      // calls of microseconds each on small files: synchronous, not four turns of the thread pool each (see workspace-folder.ts)
      const summaryFile = statOf(join(folder, SUMMARY_FILE));
      const journalFile = statOf(join(folder, JOURNAL_FILE));
      if (summaryFile === undefined && journalFile === undefined) continue;
      seen.add(id);
      const key = `${keyOf(summaryFile)}/${keyOf(journalFile)}`;
      let entry = this.entries.get(id);
      if (entry === undefined || entry.key !== key) {
        entry = { key, summary: undefined, problem: undefined, dataText: undefined };
        try {
          entry.summary = summaryFile === undefined ? undefined : writtenSummary(folder);
          // none, damaged, or its runner died: summed up from the journal (and written again for next time)
          entry.summary ??= await loadSummary(folder, this.project);
          if (entry.summary === undefined) entry.problem = "it has neither a summary (run.json) nor a journal";
        } catch (error) {
          entry.problem = describe(error);
        }
        this.entries.set(id, entry);
      }
      if (entry.summary !== undefined) {
        if (entry.summary.project === this.project) runs.push({ id, folder, summary: entry.summary, state: stateOf(entry.summary) });
      } else unreadable.push({ id, problem: entry.problem! });
    }
    for (const id of this.entries.keys()) if (!seen.has(id)) this.entries.delete(id);
    return { runs: runs.sort((a, b) => b.summary.startedAt - a.summary.startedAt), unreadable };
  }

  /** The run's data as text, for a search: its initial data and its result, read from its journal once per change. */
  dataText(run: IndexedRun): Promise<string> {
    const entry = this.entries.get(run.id);
    if (entry === undefined) return runDataText(run.folder);
    entry.dataText ??= runDataText(run.folder);
    return entry.dataText;
  }
}

/* the run's run.json when it can be taken as it is: intact, and not "running" with its runner dead */
function writtenSummary(folder: string): RunSummary | undefined {
  let text: string;
  try {
    text = readFileSync(join(folder, SUMMARY_FILE), "utf8");
  } catch {
    return undefined;
  }
  const summary = parseSummary(text);
  return summary !== undefined && !(summary.state === "running" && diedRunning(summary)) ? summary : undefined;
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function keyOf(stats: Stats | undefined): string {
  return stats === undefined ? "-" : `${stats.size}:${stats.mtimeMs}:${stats.ino}`;
}
