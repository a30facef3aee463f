import type { Journal } from "../journal/reader.js";
import type { RunState } from "../journal/records.js";
import { elementNames, taskStates, type TaskState } from "./journal-facts.js";

/** One task execution of a run, or another element that failed there, as `adhesive runs show` lists it. */
export interface TaskLine extends Omit<TaskState, "outcome"> {
  name: string;
  outcome: "done" | "failed" | "caught" | "running" | "interrupted" | "cancelled";
}

/** Every task execution of the run since its journal's last snapshot, in the order they started, with the other elements that failed where they did. */
export function taskLines(journal: Journal, state: RunState): TaskLine[] {
  const names = elementNames(journal.header.definition);
  return taskStates(journal).map((task) => ({
    ...task,
    name: names.get(task.elementId) ?? task.elementId,
    outcome: task.outcome === "running" && state !== "running" ? (state === "cancelled" ? "cancelled" : "interrupted") : task.outcome,
  }));
}
