import type { createColors } from "picocolors";
import type { RunInfo } from "../api/types.js";
import type { RunningTask, RunningTasks } from "../runtime/running-tasks.js";
import { doneIn, type RunCounts } from "../runtime/run-counts.js";

/** What the CLI counts of one run, for the status and summary lines. */
export interface RunTally {
  info: RunInfo;
  started: number;
  ended: number | undefined;
  error: unknown;
  /** tasks that succeeded, as the hooks told (a run that gives its counts counts them there) */
  done: number;
  failed: number;
  /** errors an error boundary event caught: the run went on */
  caught: number;
  cancelled: number;
  /** as eventReceived told (a run that gives its counts counts them there) */
  events: number;
  /** the element whose failure failed the run, once it is known */
  failedAt: { id: string; name: string } | undefined;
  /** on a terminal: the running tasks by token id, as the run keeps them; undefined elsewhere, where nothing reads them */
  running: RunningTasks | undefined;
  /** the run's own counts, when it gives them (RunCounts) */
  counts: RunCounts | undefined;
  /** per element: the tasks done there that task lines have told of */
  reported: Float64Array | undefined;
}

export function doneOf(run: RunTally): number {
  return run.counts === undefined ? run.done : doneIn(run.counts);
}

export function eventsOf(run: RunTally): number {
  return run.counts === undefined ? run.events : run.counts.events;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
/* events/s is the rate over this much of the recent past: smooth enough to read, recent enough to matter */
const RATE_WINDOW_MS = 2000;

/* a status line fits a handful of task names: the rest are counted, not named */
const NAMED_RUNNING = 10;

/**
 * The status line of the running processes: elapsed time, done and failed
 * counts (and caught ones, if any), events/s when message sources deliver, then the running tasks
 * with how long each has run, longest first. Counts come first so a narrow
 * terminal cuts the task list, not them. Drawn at most 10 times a second,
 * whatever the number of tasks: only the oldest running tasks are named.
 */
export function statusLine(c: ReturnType<typeof createColors>, activeRuns: () => RunTally[], label: (task: RunningTask) => string): () => string {
  const samples: Array<{ at: number; events: number }> = [];
  return () => {
    const now = performance.now();
    const runs = activeRuns();
    const sum = (count: (run: RunTally) => number) => runs.reduce((total, run) => total + count(run), 0);
    const started = Math.min(...runs.map((run) => run.started), now);
    const parts = [`${c.cyan(SPINNER[Math.floor(now / 100) % SPINNER.length])} ${formatDuration(now - started)}`, `${sum(doneOf)} done`];
    const failed = sum((run) => run.failed);
    parts.push(failed > 0 ? c.red(`${failed} failed`) : `${failed} failed`);
    const caught = sum((run) => run.caught);
    if (caught > 0) parts.push(c.cyan(`${caught} caught`));
    const events = sum(eventsOf);
    samples.push({ at: now, events });
    while (samples.length > 2 && now - samples[0].at > RATE_WINDOW_MS) samples.shift();
    if (events > 0) parts.push(`${Math.round(rate(samples))} events/s`);
    const running = runs.reduce((total, run) => total + (run.running?.size ?? 0), 0);
    if (running > 0) {
      const oldest = runs.flatMap((run) => run.running?.oldest(NAMED_RUNNING) ?? []).sort((a, b) => a.started - b.started);
      const named = oldest.slice(0, NAMED_RUNNING).map((task) => `${label(task.shown!)} ${c.dim(formatDuration(now - task.started))}`);
      if (running > named.length) named.push("…");
      parts.push(`${running} running: ${named.join(", ")}`);
    }
    return parts.join(c.dim(" · "));
  };
}

function rate(samples: ReadonlyArray<{ at: number; events: number }>): number {
  const first = samples[0];
  const last = samples[samples.length - 1];
  const span = last.at - first.at;
  return span < 100 ? 0 : ((last.events - first.events) * 1000) / span;
}

export function formatDuration(ms: number): string {
  if (ms < 1) return "<1ms";
  // 999.6 is "1.0s", not "1000ms"
  if (ms < 999.5) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}
