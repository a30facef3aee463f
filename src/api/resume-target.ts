import type { ProcessDefinition } from "../model/definition.js";
import type { RunOptions } from "./types.js";

/** What `adhesive resume` continues: the run, the process its journal names, and how. */
export interface ResumeTarget {
  runId: string;
  processId: string;
  retry: boolean;
  force: boolean;
  /** set once a run of the process file took it */
  claimed: boolean;
}

let target: ResumeTarget | undefined;

/**
 * `adhesive resume` imports the run's process file again; the first run it
 * starts of the process the journal names (whichever Adhesive instance
 * starts it) continues the run instead of starting a new one. Other runs of
 * the file start as usual.
 */
export function setResumeTarget(next: ResumeTarget | undefined): void {
  target = next;
}

/** The options of a run, with the resumed run's id when this is the run to continue. */
export function claimResume(definition: ProcessDefinition, options: RunOptions): RunOptions {
  if (target === undefined || target.claimed || target.processId !== definition.id || options.runId !== undefined) return options;
  target.claimed = true;
  return { ...options, runId: target.runId, retry: target.retry, force: target.force };
}
