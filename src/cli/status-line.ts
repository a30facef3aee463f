import type { createColors } from "picocolors";
import type { RunInfo } from "../api/types.js";

/** What the CLI counts of one run, for the status and summary lines. */
export interface RunTally {
  info: RunInfo;
  started: number;
  ended: number | undefined;
  error: unknown;
  done: number;
  failed: number;
  /** errors an error boundary event caught: the run went on */
  caught: number;
  cancelled: number;
  events: number;
  /** the element whose failure failed the run, once it is known */
  failedAt: { id: string; name: string } | undefined;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
/* events/s is the rate over this much of the recent past: smooth enough to read, recent enough to matter */
const RATE_WINDOW_MS = 2000;

/**
 * The status line of the running processes: elapsed time, done and failed
 * counts (and caught ones, if any), events/s when message sources deliver, then the running tasks
 * with how long each has run, longest first. Counts come first so a narrow
 * terminal cuts the task list, not them.
 */
export function statusLine(
  c: ReturnType<typeof createColors>,
  activeRuns: () => RunTally[],
  runningTasks: () => Iterable<{ label: string; started: number }>,
): () => string {
  const samples: Array<{ at: number; events: number }> = [];
  return () => {
    const now = performance.now();
    const runs = activeRuns();
    const sum = (key: "done" | "failed" | "caught" | "events") => runs.reduce((total, run) => total + run[key], 0);
    const started = Math.min(...runs.map((run) => run.started), now);
    const parts = [`${c.cyan(SPINNER[Math.floor(now / 100) % SPINNER.length])} ${formatDuration(now - started)}`, `${sum("done")} done`];
    const failed = sum("failed");
    parts.push(failed > 0 ? c.red(`${failed} failed`) : `${failed} failed`);
    const caught = sum("caught");
    if (caught > 0) parts.push(c.cyan(`${caught} caught`));
    const events = sum("events");
    samples.push({ at: now, events });
    while (samples.length > 2 && now - samples[0].at > RATE_WINDOW_MS) samples.shift();
    if (events > 0) parts.push(`${Math.round(rate(samples))} events/s`);
    const tasks = [...runningTasks()].sort((a, b) => a.started - b.started);
    if (tasks.length > 0) parts.push(`${tasks.length} running: ${tasks.map((t) => `${t.label} ${c.dim(formatDuration(now - t.started))}`).join(", ")}`);
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
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}
