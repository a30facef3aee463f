/** keep_runs when nothing sets it: enough to look back over the last runs, few enough that workspaces full of checkouts do not fill the disk. */
export const DEFAULT_KEEP_RUNS = 20;

/** The API's keep_runs: the option, else the config key's variable (the CLI reads all of the configuration and passes keepRuns), else the default. */
export function keepRunsOf(options: { keepRuns?: number }): number {
  if (options.keepRuns !== undefined) return options.keepRuns;
  const fromEnv = Number(process.env.ADHESIVE_KEEP_RUNS);
  return process.env.ADHESIVE_KEEP_RUNS !== undefined && Number.isInteger(fromEnv) && fromEnv >= 0 ? fromEnv : DEFAULT_KEEP_RUNS;
}
