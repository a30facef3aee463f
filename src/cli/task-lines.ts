import type { createColors } from "picocolors";
import type { Context } from "../api/types.js";
import { shown } from "../terminal-text.js";
import type { Output } from "./reporter.js";
import { formatDuration } from "./status-line.js";

/* the window the rate is counted over, and how often a summary line comes while lines are summarised */
const SUMMARY_MS = 1000;
/* a summary names this many tasks, then says how many others there were */
const NAMED_IN_SUMMARY = 8;

export interface TaskLineOptions {
  /** task lines a second printed one by one; above it, one summary line a second (0: always summaries) */
  rate: number;
  /** milliseconds, for the rate and the summaries' durations (tests pass their own) */
  now: () => number;
  /** calls `tick` every `ms` until the returned function is called (tests pass their own) */
  every: (ms: number, tick: () => void) => () => void;
  /** where the runs count the tasks that succeed while lines are counted, instead of calling finished() (RunCounts) */
  counted?: CountedTasks;
}

/** Task counts kept outside the hooks (the runs' RunCounts). */
export interface CountedTasks {
  /** Adds the tasks done since the last call (or since counting began), by task name. */
  collect(add: (name: string, done: number) => void): void;
  /** Lines are counted from now on (true), or printed one by one again (false). */
  counting(on: boolean): void;
}

export const realTime: Pick<TaskLineOptions, "now" | "every"> = {
  now: () => performance.now(),
  every: (ms, tick) => {
    // unref: a summary must never keep a finished process alive
    const timer = setInterval(tick, ms).unref();
    return () => clearInterval(timer);
  },
};

/**
 * The `run` and `done` lines of tasks that succeed. While they come at most
 * `rate` a second they are printed one by one, as they happen. Above that
 * rate nobody reads them and printing them costs more than running the
 * tasks (two lines for each of 500k tasks): they are counted instead, per
 * task name, and one `done` line a second gives the counts, until a second
 * with no more than `rate` of them goes back to single lines. Nothing is
 * rendered or timed per task while counting; with `counted` (the CLI's
 * runs) the runs count them and finished() is not even called. Failures, warnings and the
 * run's summary are not task lines: the reporter prints them in full, after
 * flush() has printed the counts before them.
 */
export class TaskLines {
  private readonly out: Output;
  private readonly c: ReturnType<typeof createColors>;
  private readonly options: TaskLineOptions;
  private windowStart = Number.NEGATIVE_INFINITY;
  private inWindow = 0;
  /** undefined: lines are printed one by one; else the counts since the last summary, by task name */
  private counts: Map<string, { done: number }> | undefined;
  private counted = 0;
  /* counted since the last tick: flush() before a failure line does not end the second */
  private thisSecond = 0;
  private countingSince = 0;
  private stopTicks: (() => void) | undefined;
  private noted = false;

  constructor(out: Output, c: ReturnType<typeof createColors>, options: TaskLineOptions) {
    this.out = out;
    this.c = c;
    this.options = options;
  }

  started(ctx: Context, label: (ctx: Context) => string): void {
    if (this.counts !== undefined || this.overRate()) return;
    this.out.write(`${this.c.yellow("run ")}  ${label(ctx)}\n`);
  }

  finished(ctx: Context, ms: number, label: (ctx: Context) => string): void {
    if (this.counts !== undefined || this.overRate()) {
      this.add(ctx.task.name || ctx.task.id, 1);
      return;
    }
    this.out.write(`${this.c.green("done")}  ${label(ctx)} ${this.c.dim(formatDuration(ms))}\n`);
  }

  /** Whether task lines are being counted rather than printed (their durations are not shown). */
  get counting(): boolean {
    return this.counts !== undefined;
  }

  /** Prints the counts not printed yet (before a failure line, and when the runs have ended). */
  flush(): void {
    if (this.counts !== undefined) this.options.counted?.collect(this.add);
    if (this.counted === 0) return;
    const now = this.options.now();
    const named = [...this.counts!];
    const listed = named.slice(0, NAMED_IN_SUMMARY).map(([name, count]) => `${this.c.bold(shown(name))} ×${count.done}`);
    const others = named.slice(NAMED_IN_SUMMARY).reduce((sum, [, count]) => sum + count.done, 0);
    if (others > 0) listed.push(`${named.length - NAMED_IN_SUMMARY} others ×${others}`);
    const tasks = `${this.counted} task${this.counted === 1 ? "" : "s"}`;
    this.out.write(`${this.c.green("done")}  ${tasks} in ${formatDuration(now - this.countingSince)}: ${listed.join(", ")}\n`);
    this.counts!.clear();
    this.counted = 0;
    this.countingSince = now;
  }

  /** No more summaries on a timer (the counts left are printed by a last flush()). */
  close(): void {
    this.stopTicks?.();
    this.stopTicks = undefined;
  }

  /* counts this line against the rate; true once the rate is exceeded, from when on lines are counted */
  private overRate(): boolean {
    const now = this.options.now();
    if (now - this.windowStart >= SUMMARY_MS) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (++this.inWindow <= this.options.rate) return false;
    this.counts = new Map();
    this.countingSince = now;
    this.thisSecond = 0;
    if (!this.noted) {
      this.noted = true;
      const rate = this.options.rate === 0 ? "task_line_rate 0" : `more than ${this.options.rate} task lines a second (task_line_rate)`;
      this.out.write(`${this.c.dim(`${rate}: a line a second counts the tasks done; failures are shown in full`)}\n`);
    }
    this.stopTicks = this.options.every(SUMMARY_MS, this.tick);
    this.options.counted?.counting(true);
    return true;
  }

  private readonly add = (name: string, done: number): void => {
    const count = this.counts!.get(name);
    if (count === undefined) this.counts!.set(name, { done });
    else count.done += done;
    this.counted += done;
    this.thisSecond += done;
  };

  /* a second of counting is over: its counts are printed, and a slow enough second goes back to single lines */
  private readonly tick = (): void => {
    this.flush();
    const slow = 2 * this.thisSecond <= this.options.rate;
    this.thisSecond = 0;
    if (!slow) return;
    this.close();
    this.counts = undefined;
    this.windowStart = Number.NEGATIVE_INFINITY;
    this.options.counted?.counting(false);
  };
}
