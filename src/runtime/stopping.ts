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
 * `build` rejects or the CLI exits. A count, not the tasks' promises: the
 * engine says when a cancelled task settles, and nothing is kept per task.
 */
export class StoppingTasks {
  private stopping = 0;
  private waiters: Array<() => void> = [];

  cancelled(): void {
    this.stopping++;
  }

  settledOne(): void {
    this.stopping = Math.max(0, this.stopping - 1);
    if (this.stopping > 0) return;
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves once every cancelled task settled (or its time is up) and every killed command is gone. */
  async settled(): Promise<void> {
    if (this.stopping > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        timer = setTimeout(resolve, STOP_WAIT_MS);
      });
      clearTimeout(timer);
    }
    await killedCommandsGone();
  }
}
