/*
 * Waiting in tests without assuming how fast the machine is: wait for what
 * happened (poll a condition, or meet at a barrier), never for a time. The
 * limits are failure caps only, generous enough for a loaded machine: a
 * test that reaches one has hung, and says what it waited for.
 */

/** The cap of a wait on something that takes no real time (a task starting, a run reaching a state); a process started at a load average of 20 took over 30 s to print. */
export const WAIT_LIMIT_MS = 60_000;

/** Polls `condition` every `everyMs` until it holds (not more often: a suite of polls every 5 ms, each a Redis call or a folder listing, took CPU from the processes it waited on); fails naming `what` after `limitMs`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, limitMs = WAIT_LIMIT_MS, everyMs = 20): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Resolves like `promise`, or rejects naming `what` if it has not settled after `limitMs` (a hang fails the test instead of stalling it). */
export function bounded<T>(promise: Promise<T>, what: string, limitMs = WAIT_LIMIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${limitMs} ms`)), limitMs);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/**
 * A meeting point for tasks that must run at the same time: each call
 * waits until `parties` calls are waiting, then all go on, and the next
 * `parties` calls meet again. Proves concurrency without timing: tasks that
 * were not running at once never meet, and fail after `limitMs`.
 */
export function barrier(parties: number, what: string, limitMs = WAIT_LIMIT_MS): () => Promise<void> {
  let waiting: Array<() => void> = [];
  return () =>
    bounded(
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length < parties) return;
        for (const release of waiting) release();
        waiting = [];
      }),
      `${parties} ${what} running at once`,
      limitMs,
    );
}
