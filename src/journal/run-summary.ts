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
  /** task executions and other elements (a gateway, a loop, an event) that failed and were not caught */
  failed: number;
  /** failures an error boundary event (or error event sub-process) caught: the run went on */
  caught: number;
  inFlight: number;
  /** until the end, or the last record of a run that has not ended */
  durationMs: number;
  error: string | undefined;
}

/**
 * One task execution of a run, as `adhesive runs show` lists it; or an
 * element without a task execution (a gateway, a loop, an event) that failed
 * there, without a number.
 */
export interface TaskLine {
  seq: number | undefined;
  elementId: string;
  name: string;
  attempts: number;
  started: number;
  ended: number | undefined;
  outcome: "done" | "failed" | "caught" | "running" | "interrupted" | "cancelled";
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
  const tasks = [...taskStates(journal).values()];
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
    done: tasks.filter((task) => task.outcome === "done").length,
    failed: tasks.filter((task) => task.outcome === "failed").length,
    caught: tasks.filter((task) => task.outcome === "caught").length,
    inFlight: state === "running" || state === "interrupted" ? tasks.filter((task) => task.outcome === "running").length : 0,
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

/** Every task execution of the run in the order they started, with the other elements that failed (caught, or failing the run) where they did. */
export function taskLines(journal: Journal): TaskLine[] {
  const state = stateOf(journal);
  const names = elementNames(journal.header.definition);
  return taskStates(journal).map((task) => ({
    ...task,
    name: names.get(task.elementId) ?? task.elementId,
    outcome: task.outcome === "running" && state !== "running" ? (state === "cancelled" ? "cancelled" : "interrupted") : task.outcome,
  }));
}

/* task executions in the order they started, with the failures of other elements where they happened */
function taskStates(journal: Journal): Array<Omit<TaskLine, "name">> {
  const tasks = new Map<number, Omit<TaskLine, "name">>();
  const others: Array<Omit<TaskLine, "name">> = [];
  const line = (elementId: string, at: number, outcome: "failed" | "caught", error: string | undefined): Omit<TaskLine, "name"> => ({ seq: undefined, elementId, attempts: 1, started: at, ended: undefined, outcome, error, log: undefined });
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
    if (note.t === "log") {
      const task = tasks.get(note.s as number);
      if (task) task.log = note.file as string;
    } else if (note.t === "caught" && typeof note.n === "string") {
      // a task's failure is its "f" record; another element's caught failure has only this note
      const task = typeof note.s === "number" ? tasks.get(note.s) : undefined;
      if (task?.outcome === "failed") task.outcome = "caught";
      else if (task === undefined) others.push(line(note.n, note.at ?? journal.header.at, "caught", typeof note.error === "string" ? note.error : undefined));
    }
  }
  // at the same millisecond, a caught failure comes before the tasks it led to
  const lines = others.length === 0 ? [...tasks.values()] : [...others, ...tasks.values()].sort((a, b) => a.started - b.started);
  const failedAt = endFailure(journal, tasks);
  if (failedAt !== undefined) lines.push(line(failedAt.id, journal.end?.at ?? journal.header.at, "failed", failedAt.error));
  return lines;
}

/*
 * The element that failed the run when it was not a task's function: a
 * task that threw has its own line already, its "f" record being the run's
 * last input (nothing is applied after the run fails).
 */
function endFailure(journal: Journal, tasks: ReadonlyMap<number, Omit<TaskLine, "name">>): { id: string; error: string | undefined } | undefined {
  const element = journal.end?.state === "failed" ? journal.end.element : undefined;
  if (element === undefined || typeof element.id !== "string") return undefined;
  const last = journal.inputs[journal.inputs.length - 1];
  const task = last?.kind === "failed" ? tasks.get(last.seq) : undefined;
  if (task?.outcome === "failed" && task.elementId === element.id) return undefined;
  return { id: element.id, error: typeof element.error === "string" ? element.error : undefined };
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
