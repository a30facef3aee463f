import { createColors } from "picocolors";
import type { Context, RunReporter } from "../api/types.js";
import { redact } from "../secrets/redact.js";

export interface Output {
  write(text: string): void;
}

export interface ReporterOptions {
  /** a line per task start and finish (log_level info and below); failures, cancellations and lanes are always shown */
  taskLines?: boolean;
}

/** One line per task start and finish; colours only when the output is a terminal. */
export function terminalReporter(out: Output, color: boolean, options: ReporterOptions = {}): RunReporter {
  const c = createColors(color);
  const taskLines = options.taskLines ?? true;
  const label = (ctx: Context) => c.bold(ctx.taskName) + loopSuffix(ctx);
  return {
    taskStarted(ctx) {
      if (taskLines) out.write(`${c.yellow("run ")}  ${label(ctx)}\n`);
    },
    taskFinished(ctx, error, ms) {
      if (error === undefined) {
        if (taskLines) out.write(`${c.green("done")}  ${label(ctx)} ${c.dim(formatDuration(ms))}\n`);
      } else out.write(`${c.red("fail")}  ${label(ctx)} ${c.dim(formatDuration(ms))}: ${c.red(message(error))}\n`);
    },
    taskCancelled(ctx) {
      out.write(`${c.magenta("stop")}  ${label(ctx)} ${c.dim("(cancelled)")}\n`);
    },
    laneFailed(lane, error) {
      out.write(`${c.red("lane")}  ${c.bold(lane)}: ${c.red(message(error))}\n`);
    },
  };
}

function loopSuffix(ctx: Context): string {
  if (!ctx.loop) return "";
  const value = ctx.loop.value;
  const shown = typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
  return ` [${ctx.loop.index}: ${shown.length > 40 ? `${shown.slice(0, 37)}...` : shown}]`;
}

export function formatDuration(ms: number): string {
  if (ms < 1) return "<1ms";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

/* a task may put a secret it read into its error message */
function message(error: unknown): string {
  return redact(error instanceof Error ? error.message : String(error));
}
