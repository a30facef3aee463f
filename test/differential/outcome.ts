/** What one engine did with one generated file, in terms both engines can be asked about. */
export type RunState =
  /** the process instance completed */
  | "completed"
  /** it ended with an error (a task failure or error end event no boundary caught, a gateway no flow leaves) */
  | "failed"
  /** it waits for something nothing left in it can bring (a signal, a join whose other token never comes) */
  | "stuck"
  /** it was still going after the event budget: a loop that does not end */
  | "budget";

export interface Outcome {
  state: RunState;
  /** the error, for failed runs (shown, never compared) */
  error?: string;
  /** per task id: executions that completed (a cancelled or failed execution does not count) */
  tasks: Record<string, number>;
  /** per end event id: tokens that reached it */
  ends: Record<string, number>;
  /** per sequence flow id: times a token took it */
  flows: Record<string, number>;
  /** for stuck runs, where the engine says tokens wait (shown, never compared) */
  waiting?: string[];
  /** bpmn-engine only: the quirk of its that this run ran into, so its outcome is no reference (bpmn-engine-quirks.ts) */
  unreliable?: string;
  /** virtual seconds when the run ended */
  seconds: number;
}

/** A counter that reads 0 for what never happened. */
export function bump(counts: Record<string, number>, id: string): void {
  counts[id] = (counts[id] ?? 0) + 1;
}

/** How long a run may go on: fired events (task ends, timers). Far above anything a generated process needs unless it loops forever. */
export const EVENT_BUDGET = 600;

/** The moment a timer fires in both engines: bpmn-engine computes its delay from two readings of the wall clock, a millisecond off at times. */
export function wholeSeconds(ms: number): number {
  return Math.round(ms / 1000) * 1000;
}
