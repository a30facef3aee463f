import { existsSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { NodeDefinition, ProcessDefinition } from "../model/definition.js";
import { describe } from "../errors.js";
import { isAlive, type ProcessIdentity } from "./process-identity.js";
import { readJournal, type Journal } from "./reader.js";
import { JOURNAL_FILE, type RunState } from "./records.js";

/** One run of the runs folder, as `adhesive runs` lists it. */
export interface RunSummary {
  id: string;
  folder: string;
  /** the process file that ran it (CLI runs), and the BPMN file or builder */
  processFile: string | undefined;
  source: string;
  processName: string;
  started: number;
  state: RunState;
  done: number;
  failed: number;
  inFlight: number;
  /** until the end, or the last record of a run that has not ended */
  durationMs: number;
  error: string | undefined;
}

/** One task execution of a run, as `adhesive runs show` lists it. */
export interface TaskLine {
  seq: number;
  elementId: string;
  name: string;
  attempts: number;
  started: number;
  ended: number | undefined;
  outcome: "done" | "failed" | "running" | "interrupted" | "cancelled";
  error: string | undefined;
  /** what it printed, under the run's logs folder */
  log: string | undefined;
}

/** A run folder whose journal cannot be read: listed with the reason rather than hidden. */
export interface UnreadableRun {
  id: string;
  folder: string;
  problem: string;
}

/** Every run under the runs folder, newest first. */
export async function listRuns(runsFolder: string): Promise<{ runs: RunSummary[]; unreadable: UnreadableRun[] }> {
  const runs: RunSummary[] = [];
  const unreadable: UnreadableRun[] = [];
  const entries = await readdir(runsFolder, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const folder = join(runsFolder, entry.name);
    if (!existsSync(join(folder, JOURNAL_FILE))) continue;
    try {
      runs.push(summarize(await readJournal(join(folder, JOURNAL_FILE)), folder));
    } catch (error) {
      unreadable.push({ id: entry.name, folder, problem: describe(error) });
    }
  }
  return { runs: runs.sort((a, b) => b.started - a.started), unreadable };
}

export function summarize(journal: Journal, folder: string): RunSummary {
  const { header } = journal;
  const tasks = taskStates(journal);
  const state = stateOf(journal);
  let last = header.at;
  for (const input of journal.inputs) last = Math.max(last, input.at);
  for (const note of journal.notes) if (typeof note.at === "number") last = Math.max(last, note.at);
  return {
    id: header.run,
    folder,
    processFile: header.process.file,
    source: header.process.source,
    processName: header.process.name,
    started: header.at,
    state,
    done: [...tasks.values()].filter((task) => task.outcome === "done").length,
    failed: [...tasks.values()].filter((task) => task.outcome === "failed").length,
    inFlight: state === "running" || state === "interrupted" ? [...tasks.values()].filter((task) => task.outcome === "running").length : 0,
    durationMs: (journal.end?.at ?? last) - header.at,
    error: journal.end?.error,
  };
}

/** How the run stands: its end, or, without one, running while its process lives, else interrupted. */
export function stateOf(journal: Journal): RunState {
  if (journal.end !== undefined) return journal.end.state;
  return isAlive(ownerOf(journal)) ? "running" : "interrupted";
}

/** The process that last ran the run: the one that started it, or the last to resume it. */
export function ownerOf(journal: Journal): ProcessIdentity {
  let owner: ProcessIdentity = { pid: journal.header.pid, start: journal.header.start };
  for (const note of journal.notes) if (note.t === "resume" && typeof note.pid === "number") owner = { pid: note.pid, start: note.start as number | undefined };
  return owner;
}

/** Every task execution of the run, in the order they started. */
export function taskLines(journal: Journal): TaskLine[] {
  const state = stateOf(journal);
  const names = elementNames(journal.header.definition);
  return [...taskStates(journal).values()].map((task) => ({
    ...task,
    name: names.get(task.elementId) ?? task.elementId,
    outcome: task.outcome === "running" && state !== "running" ? (state === "cancelled" ? "cancelled" : "interrupted") : task.outcome,
  }));
}

function taskStates(journal: Journal): Map<number, Omit<TaskLine, "name">> {
  const tasks = new Map<number, Omit<TaskLine, "name">>();
  for (const input of journal.inputs) {
    if (input.kind === "started") {
      const known = tasks.get(input.seq);
      // the times shown are the last attempt's
      if (known) Object.assign(known, { attempts: known.attempts + 1, outcome: "running", started: input.at, ended: undefined });
      else tasks.set(input.seq, { seq: input.seq, elementId: input.node, attempts: 1, started: input.at, ended: undefined, outcome: "running", error: undefined, log: undefined });
    } else if (input.kind === "done" || input.kind === "failed") {
      const task = tasks.get(input.seq);
      if (task === undefined) continue;
      task.ended = input.at;
      task.outcome = input.kind;
      task.error = input.kind === "failed" ? describe(input.error) : undefined;
    }
  }
  for (const note of journal.notes) {
    const task = note.t === "log" ? tasks.get(note.s as number) : undefined;
    if (task) task.log = note.file as string;
  }
  return tasks;
}

function elementNames(definition: ProcessDefinition): Map<string, string> {
  const names = new Map<string, string>();
  const visit = (nodes: readonly NodeDefinition[]): void => {
    for (const node of nodes) {
      names.set(node.id, node.name || node.id);
      if (node.children) visit(node.children.nodes);
    }
  };
  visit(definition.root.nodes);
  return names;
}

/** The newest run (of at most `look` newest run folders) that the given process file ran, if any. */
export async function latestRunOf(runsFolder: string, processFile: string, look = 20): Promise<RunSummary | undefined> {
  const entries = await readdir(runsFolder, { withFileTypes: true }).catch(() => []);
  const folders = await Promise.all(
    entries.filter((entry) => entry.isDirectory()).map(async (entry) => ({ folder: join(runsFolder, entry.name), modified: (await stat(join(runsFolder, entry.name)).catch(() => undefined))?.mtimeMs ?? 0 })),
  );
  for (const { folder } of folders.sort((a, b) => b.modified - a.modified).slice(0, look)) {
    const file = join(folder, JOURNAL_FILE);
    if (!existsSync(file)) continue;
    try {
      const journal = await readJournal(file);
      if (journal.header.process.file === processFile) return summarize(journal, folder);
    } catch {
      // an unreadable journal is for `adhesive runs` to report, not for a hint
    }
  }
  return undefined;
}
