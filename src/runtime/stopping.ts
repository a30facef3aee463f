import { killedCommandsGone } from "../processes/groups.js";

/*
 * How long a cancelled task's own code (its finally blocks, withSecret's
 * removal) may take after its signal fired; a task that ignores the signal
 * does not hold the run's end longer. Its commands are killed regardless.
 */
const STOP_WAIT_MS = 10_000;

/**
 * Tasks that were cancelled while running. The engine lets go of them at
 * once; the run waits for them (their commands dying, their cleanup) before
 * it tears the lanes down and settles, so nothing of the run is left when
 * `build` rejects or the CLI exits.
 */
export class StoppingTasks {
  private readonly running = new WeakMap<object, PromiseLike<unknown>>();
  private readonly stopping = new Set<Promise<void>>();

  /** A task returned `result`; it is waited for if the task gets cancelled before it settles. */
  started(task: object, result: unknown): unknown {
    if (result !== null && typeof result === "object" && typeof (result as PromiseLike<unknown>).then === "function") {
      this.running.set(task, result as PromiseLike<unknown>);
    }
    return result;
  }

  cancelled(task: object): void {
    const result = this.running.get(task);
    if (result === undefined) return;
    this.running.delete(task);
    const settled: Promise<void> = Promise.resolve(result).then(
      () => undefined,
      () => undefined,
    );
    this.stopping.add(settled);
    void settled.then(() => this.stopping.delete(settled));
  }

  /** Resolves once every cancelled task settled (or its time is up) and every killed command is gone. */
  async settled(): Promise<void> {
    if (this.stopping.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)));
      await Promise.race([Promise.all(this.stopping), timeUp]);
      clearTimeout(timer);
    }
    await killedCommandsGone();
  }
}
