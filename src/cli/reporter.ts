import { createColors } from "picocolors";
import quote from "shell-quote/quote.js";
import type { Context, RunReporter } from "../api/types.js";
import { CancelledError, TaskError } from "../errors.js";
import { endState } from "../runs/state.js";
import { redact, redactJson } from "../secrets/redact.js";
import { shown, visibleLine } from "../terminal-text.js";
import { headline, where } from "./failure.js";
import { shortPath } from "./paths.js";
import type { Screen } from "./screen.js";
import { doneOf, eventsOf, formatDuration, statusLine, type RunTally } from "./status-line.js";
import { takesRunCounts, type TakesRunCounts } from "../runtime/run-counts.js";
import { watchesRunningTasks, type WatchesRunningTasks } from "../runtime/running-tasks.js";
import { DEFAULT_TASK_LINE_RATE } from "../config/load.js";
import { realTime, TaskLines, type CountedTasks, type TaskLineOptions } from "./task-lines.js";

export interface Output {
  write(text: string): void;
}

export interface ReporterOptions {
  /** a line per task start and finish, and the summary of a successful run (log_level info and below); failures, cancellations and lanes are always shown */
  taskLines?: boolean;
  /** task lines a second printed one by one; above it, a line a second counts them (config task_line_rate) */
  taskLineRate?: number;
  /** the clock and timer of that rate (tests pass their own) */
  time?: Pick<TaskLineOptions, "now" | "every">;
  /** paths in the output are shown relative to it (default process.cwd()) */
  cwd?: string;
  /** on a terminal: where the live status line goes */
  screen?: Screen;
}

/** The CLI's reporter: task lines, a live status line on a terminal, and a summary per run. */
export interface TerminalReporter extends RunReporter, TakesRunCounts, WatchesRunningTasks {
  /** Prints one line per run that ended since the last call: outcome, duration, counts, run id and logs folder. */
  printSummaries(): void;
}

/** Task lines (counted once they come too fast), failures and summaries; colours only when the output is a terminal. */
export function terminalReporter(out: Output, color: boolean, options: ReporterOptions = {}): TerminalReporter {
  const c = createColors(color);
  const cwd = options.cwd ?? process.cwd();
  const runs = new Map<string, RunTally>();
  /* the runs count the tasks that succeed while their lines are counted (RunCounts); `reported`: what the lines have said of them */
  const counted: CountedTasks = {
    collect(add) {
      for (const run of runs.values()) {
        const { counts, reported } = run;
        if (counts === undefined) continue;
        for (let i = 0; i < counts.done.length; i++) {
          if (counts.done[i] === reported![i]) continue;
          add(counts.names[i], counts.done[i] - reported![i]);
          reported![i] = counts.done[i];
        }
      }
    },
    counting(on) {
      for (const run of runs.values()) {
        if (run.counts === undefined) continue;
        run.counts.quiet = on;
        // the tasks done so far had their lines
        if (on) run.reported!.set(run.counts.done);
      }
    },
  };
  const lines = (options.taskLines ?? true) ? new TaskLines(out, c, { rate: options.taskLineRate ?? DEFAULT_TASK_LINE_RATE, ...(options.time ?? realTime), counted }) : undefined;
  // a task name is rendered from data ({data.x}, {loop.value}): it may hold a secret or escape sequences
  // a message-started instance's number tells its lines from those of the instances beside it (the console names it the same)
  const label = (ctx: Context) => c.bold(shown(ctx.taskName)) + loopSuffix(ctx.loop) + (ctx.instance === undefined ? "" : c.dim(` · instance ${ctx.instance}`));
  /* only the status line reads the running tasks: only on a terminal are they asked for (the run keeps them) */
  const onTerminal = options.screen !== undefined;
  /* every task and event asks for its run's tally: the last one found answers without a lookup */
  let last: RunTally | undefined;
  const tallyOf = (executionId: string): RunTally | undefined => (last?.info.executionId === executionId ? last : (last = runs.get(executionId)));
  const tally = (ctx: Context) => tallyOf(ctx.executionId);
  const active = () => [...runs.values()].some((run) => run.ended === undefined);
  /* per run: the message waits last said, so a run that waits the same way again is not told twice */
  const waitsSaid = new Map<string, string>();
  /* every line that is not a task line: the counts of the tasks done before it come first */
  const write = (text: string): void => {
    lines?.flush();
    out.write(text);
  };
  const render = statusLine(c, () => [...runs.values()].filter((run) => run.ended === undefined), (task) => (typeof task === "string" ? shown(task) : shown(task.name) + loopSuffix(task.loop)));
  return {
    [takesRunCounts](info, counts) {
      const run = runs.get(info.executionId);
      if (run === undefined) return;
      run.counts = counts;
      run.reported = new Float64Array(counts.done.length);
      counts.quiet = lines === undefined || lines.counting;
    },
    ...(onTerminal && {
      [watchesRunningTasks](info, running) {
        const run = runs.get(info.executionId);
        if (run) run.running = running;
      },
    }),
    runStarted(info) {
      runs.set(info.executionId, { info, started: performance.now(), ended: undefined, error: undefined, done: 0, failed: 0, caught: 0, cancelled: 0, events: 0, failedAt: undefined, running: undefined, counts: undefined, reported: undefined });
      options.screen?.setStatus(render);
    },
    runFinished(info, error) {
      // the counts of its last tasks before whatever the process file prints next
      lines?.flush();
      const run = runs.get(info.executionId);
      if (run) {
        Object.assign(run, { ended: performance.now(), error });
        // a run can fail where no hook reported a failure (a message source that threw): the error names the element
        if (error instanceof TaskError && run.failedAt === undefined) {
          run.failed++;
          run.failedAt = { id: error.elementId, name: error.taskName };
        }
      }
      if (!active()) options.screen?.setStatus(undefined);
    },
    unusedImplementations(info, unused) {
      // a warning, shown at every log level, as verify shows it
      const source = visibleLine(shortPath(info.source, cwd));
      for (const implementation of unused) {
        const at = implementation.origin === undefined ? "" : ` at ${visibleLine(shortPath(implementation.origin, cwd))}`;
        write(`${c.yellow("warn")}  unused ${implementation.kind}(${shown(implementation.label)})${at}: matches no element of ${source}\n`);
      }
    },
    fileWarnings(info, warnings) {
      const source = visibleLine(shortPath(info.source, cwd));
      for (const warning of warnings) write(`${c.yellow("warn")}  ${source}#${visibleLine(warning.elementId)}: ${visibleLine(warning.message)}\n`);
    },
    eventReceived(info) {
      const run = tallyOf(info.executionId);
      if (run) run.events++;
    },
    // without task lines a start shows nothing: the run need not call in
    taskStarted: lines === undefined ? undefined : (ctx) => lines.started(ctx, label),
    taskFinished(ctx, error, ms, caught) {
      const run = tally(ctx);
      if (error === undefined) {
        if (run !== undefined && run.counts === undefined) run.done++;
        lines?.finished(ctx, ms, label);
        return;
      }
      if (run) count(run, ctx.task.id, ctx.taskName, caught === true);
      const outcome = caught === true ? c.cyan("caught") : c.red("fail");
      write(`${outcome}  ${label(ctx)} ${c.dim(formatDuration(ms))}: ${c.red(message(error))}${c.dim(visibleLine(where(error, { cwd })))}\n`);
    },
    elementFailed(info, element, error, caught) {
      const run = runs.get(info.executionId);
      if (run) count(run, element.id, element.name, caught);
      write(`${caught ? c.cyan("caught") : c.red("fail")}  ${c.bold(shown(element.name))}: ${c.red(message(error))}${c.dim(visibleLine(where(error, { cwd })))}\n`);
    },
    taskCancelled(ctx) {
      const run = tally(ctx);
      if (run) run.cancelled++;
      write(`${c.magenta("stop")}  ${label(ctx)} ${c.dim("(cancelled)")}\n`);
    },
    waitingForMessages(info, waits) {
      const key = waits.map((wait) => wait.elementId).join(" ");
      if (waitsSaid.get(info.executionId) === key) return;
      waitsSaid.set(info.executionId, key);
      for (const wait of waits) {
        const element = wait.name && wait.name !== wait.message ? `"${shown(wait.name)}" (${shown(wait.elementId)})` : shown(wait.elementId);
        write(`${c.cyan("wait")}  for message ${c.bold(shown(wait.message))} at ${element}: adhesive send ${info.executionId.slice(0, 8)} ${shown(quote([wait.message]))} --data '{...}'\n`);
      }
    },
    laneFailed(lane, error) {
      write(`${c.red("lane")}  ${c.bold(shown(lane))}: ${c.red(message(error))}\n`);
    },
    printSummaries() {
      lines?.flush();
      if (!active()) lines?.close();
      last = undefined;
      for (const [id, run] of runs) {
        if (run.ended === undefined) continue;
        runs.delete(id);
        if (run.error === undefined && lines === undefined) continue;
        out.write(`${summary(run, c, cwd)}\n`);
      }
    },
  };
}

/* a caught failure is not a failure of the run: its own count; an uncaught one names the element the run failed at */
function count(run: RunTally, id: string, name: string, caught: boolean): void {
  if (caught) {
    run.caught++;
    return;
  }
  run.failed++;
  run.failedAt ??= { id, name };
}

function summary(run: RunTally, c: ReturnType<typeof createColors>, cwd: string): string {
  const duration = formatDuration((run.ended ?? performance.now()) - run.started);
  const failed = run.error instanceof CancelledError ? undefined : run.failedAt;
  const at = failed === undefined ? "" : ` at "${shown(failed.name)}" (${shown(failed.id)})`;
  const outcome =
    run.error === undefined
      ? `${c.green(c.bold("finished"))} ${visibleLine(shortPath(run.info.source, cwd))} in ${duration}`
      : `${run.error instanceof CancelledError ? c.magenta(c.bold(endState(run.error))) : c.red(c.bold("failed"))} ${visibleLine(shortPath(run.info.source, cwd))}${at} after ${duration}`;
  const counted = eventsOf(run);
  const events = counted > 0 ? `, ${counted} event${counted === 1 ? "" : "s"}` : "";
  const caught = run.caught > 0 ? `, ${run.caught} caught` : "";
  const counts = `${doneOf(run)} done, ${run.failed} failed${caught}, ${run.cancelled} cancelled${events}`;
  return `${outcome}: ${counts}; ${c.dim(`run ${run.info.executionId}; logs ${run.info.logFolder}`)}`;
}

function loopSuffix(loop: Context["loop"]): string {
  if (!loop) return "";
  const value = loop.value;
  // masked before it is cut: a cut secret would no longer be recognised
  const text = typeof value === "object" && value !== null ? redactJson(value) : redact(String(value));
  return ` [${loop.index}: ${visibleLine(text.length > 40 ? `${text.slice(0, 37)}...` : text)}]`;
}

/* the first line only: a failed command's last lines are its output, printed once with the failure; a task may put a secret it read into its message */
function message(error: unknown): string {
  return shown(headline(error).split("\n")[0]);
}

