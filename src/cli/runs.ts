import { join } from "node:path";
import { createColors } from "picocolors";
import { UsageError } from "../errors.js";
import { readJournal } from "../journal/reader.js";
import { JOURNAL_FILE, type RunState } from "../journal/records.js";
import { listRuns, summarize, taskLines, type RunSummary } from "../journal/run-summary.js";
import { shortPath } from "./paths.js";
import type { Output } from "./reporter.js";
import { formatDuration } from "./status-line.js";
import { visibleLine } from "../terminal-text.js";

interface RunsIo {
  out: Output;
  color: boolean;
  cwd: string;
  runsFolder: string;
}

const STATE_COLORS: Record<RunState, "green" | "red" | "yellow" | "cyan" | "magenta"> = {
  done: "green",
  failed: "red",
  interrupted: "yellow",
  running: "cyan",
  cancelled: "magenta",
};

/** `adhesive runs`: the project's runs, newest first. */
export async function printRuns(io: RunsIo): Promise<void> {
  const c = createColors(io.color);
  const { runs, unreadable } = await listRuns(io.runsFolder);
  if (runs.length === 0 && unreadable.length === 0) {
    io.out.write(`no runs in ${shortPath(io.runsFolder, io.cwd)}\n`);
    return;
  }
  const rows = runs.map((run) => [
    run.id,
    c[STATE_COLORS[run.state]](run.state),
    shortPath(run.processFile ?? run.source, io.cwd),
    new Date(run.started).toISOString().replace("T", " ").slice(0, 19),
    `${run.done} done, ${run.failed} failed${run.caught > 0 ? `, ${run.caught} caught` : ""}${run.inFlight > 0 ? `, ${run.inFlight} in flight` : ""}`,
    formatDuration(run.durationMs),
  ]);
  io.out.write(table(["run", "state", "process", "started (UTC)", "tasks", "duration"], rows));
  for (const run of unreadable) io.out.write(`${c.red("unreadable")} ${run.id}: ${run.problem}\n`);
}

/** `adhesive runs show <id>`: the run and each of its task executions. */
export async function printRun(idOrPrefix: string, io: RunsIo): Promise<void> {
  const c = createColors(io.color);
  const id = await findRun(idOrPrefix, io.runsFolder);
  const folder = join(io.runsFolder, id);
  const journal = await readJournal(join(folder, JOURNAL_FILE));
  const run = summarize(journal, folder);
  // an error message (and a name) can carry escape sequences from data: shown escaped, never replayed
  io.out.write(`${c.bold(`run ${run.id}`)}: ${c[STATE_COLORS[run.state]](run.state)}${run.error ? ` (${visibleLine(run.error)})` : ""}\n`);
  io.out.write(`  process  ${visibleLine(run.processName)} in ${shortPath(run.source, io.cwd)}${run.processFile ? `, run by ${shortPath(run.processFile, io.cwd)}` : ""}\n`);
  io.out.write(`  started  ${new Date(run.started).toISOString()}, ${formatDuration(run.durationMs)}\n`);
  io.out.write(`  folder   ${shortPath(folder, io.cwd)} (journal and logs)\n`);
  if (run.state === "interrupted") io.out.write(`  ${c.yellow("resume it with")} adhesive resume ${run.id}\n`);
  if (run.state === "failed") io.out.write(`  ${c.yellow("retry its failed task with")} adhesive resume ${run.id} --retry\n`);
  const rows = taskLines(journal).map((task) => [
    task.seq === undefined ? "" : `#${task.seq}`,
    visibleLine(`${task.name} (${task.elementId})`),
    new Date(task.started).toISOString().slice(11, 23),
    task.ended === undefined ? "" : formatDuration(task.ended - task.started),
    colorOutcome(task.outcome, c) + (task.attempts > 1 ? ` (attempt ${task.attempts})` : "") + (task.error ? `: ${visibleLine(task.error)}` : ""),
    task.log ? join("logs", task.log) : "",
  ]);
  if (rows.length > 0) io.out.write(`\n${table(["task", "element", "started", "took", "outcome", "log"], rows)}`);
}

/** The run a full id or a unique prefix of one names. */
export async function findRun(idOrPrefix: string, runsFolder: string): Promise<string> {
  const { runs } = await listRuns(runsFolder);
  const exact = runs.find((run) => run.id === idOrPrefix);
  if (exact) return exact.id;
  const matching = runs.filter((run) => run.id.startsWith(idOrPrefix));
  if (matching.length === 1) return matching[0].id;
  if (matching.length === 0) throw new UsageError(`no run ${idOrPrefix} in ${runsFolder} (adhesive runs lists them)`);
  throw new UsageError(`${idOrPrefix} names ${matching.length} runs (${matching.map((run) => run.id).join(", ")}): give more of the id`);
}

/** The run `adhesive resume` continues without an id: the newest interrupted one (with --retry, or failed). */
export function latestResumable(runs: readonly RunSummary[], retry: boolean): RunSummary | undefined {
  return runs.find((run) => run.state === "interrupted" || (retry && run.state === "failed"));
}

function colorOutcome(outcome: string, c: ReturnType<typeof createColors>): string {
  if (outcome === "done") return c.green(outcome);
  if (outcome === "failed") return c.red(outcome);
  if (outcome === "caught") return c.cyan(outcome);
  return c.yellow(outcome);
}

/* plain columns; colour codes do not count towards the width */
function table(headers: string[], rows: string[][]): string {
  const visible = (text: string): number => text.replace(/\u001b\[[0-9;]*m/g, "").length;
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => visible(row[i]))));
  const line = (cells: string[]): string => `${cells.map((cell, i) => cell + " ".repeat(widths[i] - visible(cell))).join("  ").trimEnd()}\n`;
  return line(headers) + rows.map(line).join("");
}
