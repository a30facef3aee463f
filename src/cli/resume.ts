import { existsSync } from "node:fs";
import { join } from "node:path";
import { createColors } from "picocolors";
import type { ResumeTarget } from "../api/resume-target.js";
import type { Config } from "../config/load.js";
import { UsageError } from "../errors.js";
import { readJournal } from "../journal/reader.js";
import { JOURNAL_FILE } from "../journal/records.js";
import { latestRunOf, listRuns } from "../journal/run-summary.js";
import { findProcessFile } from "./process-file.js";
import { shortPath } from "./paths.js";
import { findRun, latestResumable } from "./runs.js";
import type { Output } from "./reporter.js";

/** The run `adhesive resume [id]` continues, and the process file to import for it. */
export async function resumeTarget(idOrPrefix: string | undefined, how: { retry: boolean; force: boolean }, runsFolder: string): Promise<{ file: string; resume: ResumeTarget }> {
  let runId: string;
  if (idOrPrefix !== undefined) {
    runId = await findRun(idOrPrefix, runsFolder);
  } else {
    const latest = latestResumable((await listRuns(runsFolder)).runs, how.retry);
    if (latest === undefined) throw new UsageError(`no interrupted run${how.retry ? " and no failed one" : ""} in ${runsFolder} (adhesive runs lists the runs)`);
    runId = latest.id;
  }
  const { header } = await readJournal(join(runsFolder, runId, JOURNAL_FILE));
  const file = header.process.file;
  if (file === undefined) {
    throw new UsageError(`run ${runId} was started through the API, not by a process file: continue it in code, with resume("${runId}") or bpmnBuild(file, { runId: "${runId}" })`);
  }
  if (!existsSync(file)) throw new UsageError(`run ${runId} was run by ${file}, which no longer exists`);
  return { file, resume: { runId, processId: header.process.id, retry: how.retry, force: how.force, claimed: false } };
}

/** One line when the latest run of this process file was interrupted: how to continue it instead of starting over. */
export async function hintResume(given: string | undefined, io: { err: Output; color: boolean; cwd: string; config: Config }): Promise<void> {
  let file: string;
  try {
    file = await findProcessFile(given, io.cwd);
  } catch {
    return; // loading the file reports that
  }
  const latest = await latestRunOf(io.config.runsFolder, file);
  if (latest?.state !== "interrupted") return;
  const c = createColors(io.color);
  const when = new Date(latest.started).toISOString().replace("T", " ").slice(0, 16);
  io.err.write(`${c.yellow("note")}: the last run of ${shortPath(file, io.cwd)} (started ${when} UTC) was interrupted with ${latest.inFlight} task(s) in flight; this starts a new one. To continue that one instead: adhesive resume ${latest.id}\n`);
}
