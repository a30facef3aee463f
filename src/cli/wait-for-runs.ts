/*
 * `adhesive file` exits with the outcome of every run the file started,
 * awaited or not: `bpmnBuild(...).then(...)` and `main().catch(...)` are the
 * way to write a CommonJS process file, where there is no top-level await.
 *
 * When the file's top-level code ends with every run it started already
 * settled (it awaited them), that is the end. Otherwise its code goes on in
 * callbacks: the CLI waits for the runs, and for the runs those callbacks
 * start, until nothing is left for Node to do (the 'beforeExit' moment,
 * when `node file` would exit too).
 *
 * A failed run is printed once, by the CLI, at the end; the rejections it
 * causes further down a chain nobody handled are not crashes with a stack
 * trace. Another unhandled rejection fails the command too.
 */
import type { RunSession } from "../api/run-session.js";

export interface RunsOutcome {
  /** how many runs the file started */
  started: number;
  /** why runs failed, and other unhandled rejections, each once, in order */
  failures: unknown[];
}

export class RunWatch {
  private readonly pending = new Set<Promise<unknown>>();
  private readonly failures: unknown[] = [];
  private count = 0;
  private onStart: (() => void) | undefined;
  private readonly stopWatching: () => void;

  /** Watches the runs started through `session`, whichever Adhesive instance starts them. */
  constructor(session: RunSession) {
    this.stopWatching = session.onRun((run) => this.add(run));
    process.on("unhandledRejection", this.unhandled);
  }

  /** Call once the file's top-level code has finished; resolves with the outcome of everything it started. */
  async outcome(): Promise<RunsOutcome> {
    try {
      const awaitedAll = this.count > 0 && this.pending.size === 0;
      while (!awaitedAll) {
        while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
        if (!(await this.nextRunBeforeIdle())) break;
      }
      return { started: this.count, failures: this.failures };
    } finally {
      this.stop();
    }
  }

  stop(): void {
    this.stopWatching();
    process.off("unhandledRejection", this.unhandled);
  }

  private add(run: Promise<unknown>): void {
    this.count++;
    this.pending.add(run);
    run.then(
      () => this.pending.delete(run),
      (error: unknown) => {
        this.pending.delete(run);
        this.fail(error);
      },
    );
    this.onStart?.();
  }

  /** true when another run starts, false when Node has nothing left to do */
  private nextRunBeforeIdle(): Promise<boolean> {
    return new Promise((resolve) => {
      const idle = (): void => finish(false);
      const finish = (another: boolean): void => {
        this.onStart = undefined;
        process.off("beforeExit", idle);
        resolve(another);
      };
      this.onStart = () => finish(true);
      process.once("beforeExit", idle);
    });
  }

  private readonly unhandled = (reason: unknown): void => this.fail(reason);

  private fail(reason: unknown): void {
    if (!this.failures.includes(reason)) this.failures.push(reason);
  }
}

/**
 * The exit code once every run has ended: each failure printed once by
 * `report` (which returns its code; the first one is the command's), or 2
 * with one line when the file started no run at all.
 */
export async function exitCodeOfRuns(runs: RunWatch, file: string, report: (failure: unknown) => number, err: { write(text: string): unknown }): Promise<number> {
  const { started, failures } = await runs.outcome();
  if (failures.length > 0) return failures.map(report)[0];
  if (started > 0) return 0;
  err.write(`adhesive: ${file} started no process: call bpmnBuild(), build() or processStart()...build() in it\n`);
  return 2;
}
