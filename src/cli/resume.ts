import { existsSync } from "node:fs";
import { createColors } from "picocolors";
import type { ResumeTarget } from "../api/run-session.js";
import type { Config } from "../config/load.js";
import { UsageError } from "../errors.js";
import { findRun } from "../runs/find.js";
import { listRuns, loadSummary, type ListedRun } from "../runs/list.js";
import { stateOf } from "../runs/state.js";
import { findProcessFile } from "./process-file.js";
import { shortPath } from "./paths.js";
import type { Output } from "./reporter.js";

/** The run `adhesive resume [id]` continues, and the process file to import for it: from its summary, not its journal (the resume reads that). */
export async function resumeTarget(idOrPrefix: string | undefined, how: { retry: boolean; force: boolean }, runsFolder: string, project: string): Promise<{ file: string; resume: ResumeTarget }> {
  let run;
  if (idOrPrefix !== undefined) {
    const { id, folder } = await findRun(runsFolder, idOrPrefix);
    const summary = await loadSummary(folder, project);
    if (summary === undefined) throw new UsageError(`run ${id} has neither a summary nor a journal in ${folder}`);
    run = summary;
  } else {
    const latest = latestResumable((await listRuns(runsFolder, project)).runs, how.retry);
    if (latest === undefined) throw new UsageError(`no interrupted run${how.retry ? " and no failed one" : ""} in ${runsFolder} (adhesive runs lists the runs)`);
    run = latest.summary;
  }
  const runId = run.id;
  if (!run.journal) throw new UsageError(`run ${runId} kept no journal (journal: false): it cannot be resumed`);
  const file = run.processFile;
  if (file === undefined) {
    throw new UsageError(`run ${runId} was started through the API, not by a process file: continue it in code, with resume("${runId}") or bpmnBuild(file, { runId: "${runId}" })`);
  }
  if (!existsSync(file)) throw new UsageError(`run ${runId} was run by ${file}, which no longer exists`);
  return { file, resume: { runId, processId: run.processId, retry: how.retry, force: how.force } };
}

/* the run `adhesive resume` continues without an id: the newest interrupted one (with --retry, or failed) */
function latestResumable(runs: readonly ListedRun[], retry: boolean): ListedRun | undefined {
  return runs.find(({ summary }) => {
    const state = stateOf(summary);
    return summary.journal && (state === "interrupted" || (retry && state === "failed"));
  });
}

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
