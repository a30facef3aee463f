/*
 * Every run started in this thread, by any Adhesive instance, awaited or
 * not: the CLI watches them so that it can wait for all of them and exit with
 * their outcome. A process file that forgets to await its run must not end
 * in a silent exit 0.
 */
type Watcher = (run: Promise<unknown>) => void;

const watchers = new Set<Watcher>();

/** Calls `watcher` with every run started from now on; returns the function that stops it. */
export function watchRuns(watcher: Watcher): () => void {
  watchers.add(watcher);
  return () => watchers.delete(watcher);
}

/** Tells the watchers about a run that has started; returns it unchanged. */
export function started<T>(run: Promise<T>): Promise<T> {
  for (const watcher of watchers) watcher(run);
  return run;
}
