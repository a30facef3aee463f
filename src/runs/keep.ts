/** keep_runs when nothing sets it: enough to look back over the last runs, few enough that workspaces full of checkouts do not fill the disk. */
export const DEFAULT_KEEP_RUNS = 20;

/** A run's keep_runs: every run's options have it from the configuration (src/api/run-session.ts), unless its own code unset it. */
export function keepRunsOf(options: { keepRuns?: number }): number {
  return options.keepRuns ?? DEFAULT_KEEP_RUNS;
}
