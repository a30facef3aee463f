/*
 * Which run `adhesive resume [id]` continues, shared by the CLI and the
 * console's Retry and Resume (src/web/actions.ts), which start that very
 * command: both refuse the same runs with the same words.
 */
import { existsSync } from "node:fs";
import type { ResumeTarget } from "../api/run-session.js";
import { UsageError } from "../errors.js";
import { findRun } from "./find.js";
import { listRuns, loadSummary, type ListedRun } from "./list.js";
import { stateOf } from "./state.js";

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
