import type { NodeDefinition, ProcessDefinition } from "../model/definition.js";
import { describe } from "../errors.js";
import type { ProcessIdentity } from "../journal/process-identity.js";
import type { Journal } from "../journal/reader.js";

/* What a run's journal says about its tasks and its owner, for summaries and `adhesive runs show`. */

/** One task execution as the journal has it: its last attempt's times and how it ended. */
export interface TaskState {
  seq: number;
  elementId: string;
  attempts: number;
  started: number;
  ended: number | undefined;
  outcome: "done" | "failed" | "running";
  error: string | undefined;
  /** what it printed, under the run's logs folder */
  log: string | undefined;
}

/** Every task execution of the journal, by its number, in the order they started. */
export function taskStates(journal: Journal): Map<number, TaskState> {
  const tasks = new Map<number, TaskState>();
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
    const task = note.t === "log" ? tasks.get(note.s as number) : undefined;
    if (task) task.log = note.file as string;
  }
  return tasks;
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
