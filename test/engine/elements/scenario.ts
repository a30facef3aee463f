import { fileURLToPath } from "node:url";
import { Adhesive, SimulatedClock, type Context, type Data, type RunOptions } from "adhesive-bpmn";
import { until as waitUntil } from "../../waiting.js";

export const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/elements/${name}`, import.meta.url));

/**
 * A process file run with the tasks `setup` declares; `ran` lists every
 * task, user task and gateway function call in the order they started,
 * `cancelled` those cancelled. Timers run on `clock`.
 */
export function scenario(file: string, setup: (adhesive: Adhesive) => void) {
  const adhesive = new Adhesive();
  const ran: string[] = [];
  const cancelled: string[] = [];
  const reporter: RunOptions["reporter"] = {
    taskStarted: (ctx) => void ran.push(ctx.taskName),
    taskCancelled: (ctx) => void cancelled.push(ctx.taskName),
  };
  setup(adhesive);
  const clock = new SimulatedClock();
  // a task waiting for an event holds a pool slot: leave room for the paths the events start,
  // however few CPUs the default pool size counts (taskset)
  const run = (options: RunOptions = {}): Promise<Data> => adhesive.bpmnBuild(fixture(file), { clock, reporter, poolSize: 4, ...options });
  const count = (name: string): number => ran.filter((n) => n === name).length;
  return { adhesive, ran, cancelled, clock, run, count };
}

/** A task body that runs until `release()` or until its token is cancelled. */
export function gate() {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  const signals: AbortSignal[] = [];
  const body = (ctx: Context): Promise<void> => {
    signals.push(ctx.signal);
    return new Promise<void>((resolve) => {
      void opened.then(resolve);
      ctx.signal.addEventListener("abort", () => resolve());
    });
  };
  return { body, release, signals };
}

/** Waits (bounded) until the run reaches a state: reading the file and setting up come first. */
export function until(condition: () => boolean): Promise<void> {
  return waitUntil(condition, condition.toString());
}

/** A task that does nothing; `names` are implemented by it. */
export function noop(adhesive: Adhesive, ...names: string[]): void {
  adhesive.task(names, () => undefined);
}
