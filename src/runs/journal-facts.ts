import type { NodeDefinition, ProcessDefinition } from "../model/definition.js";
import { describe } from "../errors.js";
import type { ProcessIdentity } from "../journal/process-identity.js";
import type { Journal } from "../journal/reader.js";

/* What a run's journal says about its tasks and its owner, for summaries and `adhesive runs show`. */

/**
 * One task execution as the journal has it: its last attempt's times and
 * how it ended; or an element without a task execution (a gateway, a loop,
 * an event) that failed there, without a number.
 */
export interface TaskState {
  seq: number | undefined;
  elementId: string;
  attempts: number;
  started: number;
  ended: number | undefined;
  /** caught: an error boundary event (or error event sub-process) took the failure over and the run went on */
  outcome: "done" | "failed" | "caught" | "running";
  error: string | undefined;
  /** what it printed, under the run's logs folder */
  log: string | undefined;
}

/** Every task execution of the journal in the order they started, with the other elements that failed (caught, or failing the run) where they did. */
export function taskStates(journal: Journal): TaskState[] {
  const tasks = new Map<number, TaskState>();
  const others: TaskState[] = [];
  const line = (elementId: string, at: number, outcome: "failed" | "caught", error: string | undefined): TaskState => ({ seq: undefined, elementId, attempts: 1, started: at, ended: undefined, outcome, error, log: undefined });
  for (const input of journal.inputs) {
    if (input.kind === "started") {
      const known = tasks.get(input.seq);
      // the times shown are the last attempt's
      if (known) Object.assign(known, { attempts: known.attempts + 1, outcome: "running", started: input.at, ended: undefined });
      else tasks.set(input.seq, { seq: input.seq, elementId: input.node, attempts: input.attempt, started: input.at, ended: undefined, outcome: "running", error: undefined, log: undefined });
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
      else if (task === undefined) others.push(line(note.n, typeof note.at === "number" ? note.at : journal.header.at, "caught", typeof note.error === "string" ? note.error : undefined));
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
function endFailure(journal: Journal, tasks: ReadonlyMap<number, TaskState>): { id: string; error: string | undefined } | undefined {
  const element = journal.end?.state === "failed" ? journal.end.element : undefined;
  if (element === undefined || typeof element.id !== "string") return undefined;
  const last = journal.inputs[journal.inputs.length - 1];
  const task = last?.kind === "failed" ? tasks.get(last.seq) : undefined;
  if (task?.outcome === "failed" && task.elementId === element.id) return undefined;
  return { id: element.id, error: typeof element.error === "string" ? element.error : undefined };
}

/** The process that last ran the run, as its journal says: the one that started it, or the last to resume it. */
export function journalOwner(journal: Journal): ProcessIdentity {
  let owner: ProcessIdentity = journal.owner ?? { pid: journal.header.pid, start: journal.header.start };
  for (const note of journal.notes) if (note.t === "resume" && typeof note.pid === "number") owner = { pid: note.pid, start: note.start as number | undefined };
  return owner;
}

/** Element names by id, sub-processes included. */
export function elementNames(definition: ProcessDefinition): Map<string, string> {
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
