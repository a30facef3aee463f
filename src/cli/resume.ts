import { createColors } from "picocolors";
import type { Config } from "../config/load.js";
import { listRuns } from "../runs/list.js";
import { stateOf } from "../runs/state.js";
import { findProcessFile } from "./process-file.js";
import { shortPath } from "./paths.js";
import type { Output } from "./reporter.js";

/** One line when the latest run of this process file was interrupted: how to continue it instead of starting over. */
export async function hintResume(given: string | undefined, io: { err: Output; color: boolean; cwd: string; config: Config }): Promise<void> {
  let file: string;
  try {
    file = await findProcessFile(given, io.cwd);
  } catch {
    return; // loading the file reports that
  }
  let latest;
  try {
    // summaries only: a damaged journal is for `adhesive runs` to report, not for a hint
    latest = (await listRuns(io.config.runsFolder, io.cwd)).runs.find((run) => run.summary.processFile === file)?.summary;
  } catch {
    return;
  }
  if (latest === undefined || stateOf(latest) !== "interrupted") return;
  const c = createColors(io.color);
  const when = new Date(latest.startedAt).toISOString().replace("T", " ").slice(0, 16);
  io.err.write(`${c.yellow("note")}: the last run of ${shortPath(file, io.cwd)} (started ${when} UTC) was interrupted with ${latest.inFlight} task(s) in flight; this starts a new one. To continue that one instead: adhesive resume ${latest.id}\n`);
}
