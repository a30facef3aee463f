import { CancelledError, InterruptedError } from "../errors.js";
import { isAlive } from "../journal/process-identity.js";
import type { RunState } from "../journal/records.js";
import type { RunSummary } from "./summary.js";

/**
 * How a run stands: what its summary says, except that a run whose owner
 * died without ending it (kill -9, out of memory, a power cut) is
 * "interrupted" rather than "running" (a reused pid does not count: the
 * owner is its pid and start time).
 */
export function stateOf(summary: RunSummary): RunState {
  return summary.state === "running" && !ownerAlive(summary) ? "interrupted" : summary.state;
}

/**
 * Its owner died without ending it: nobody chose to stop it, so retention
 * keeps it for `adhesive resume`. (A run stopped by a signal ended as
 * "interrupted" too, but with an end: retention counts it like the others.)
 */
export function diedRunning(summary: RunSummary): boolean {
  if (summary.state === "interrupted") return summary.endedAt === undefined;
  return summary.state === "running" && !ownerAlive(summary);
}

function ownerAlive(summary: RunSummary): boolean {
  return isAlive({ pid: summary.pid, start: summary.pidStart });
}

/**
 * How a run ended, from what it rejected with (undefined: it succeeded):
 * stopped by a signal to the process ("interrupted", resumable), cancelled
 * through its `signal` option, or failed. The journal, the summary, the
 * live view and the CLI's lines all say it with this word.
 */
export function endState(outcome: unknown): Exclude<RunState, "running"> {
  if (outcome === undefined) return "done";
  return outcome instanceof InterruptedError ? "interrupted" : outcome instanceof CancelledError ? "cancelled" : "failed";
}
