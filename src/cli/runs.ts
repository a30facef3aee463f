import { join } from "node:path";
import { createColors } from "picocolors";
import { readJournal } from "../journal/reader.js";
import type { RunState } from "../journal/records.js";
import { JOURNAL_FILE, LOGS_FOLDER } from "../runs/files.js";
import { findRun } from "../runs/find.js";
import { listRuns } from "../runs/list.js";
import { stateOf } from "../runs/state.js";
import { readSummary, summaryFromJournal, type RunSummary } from "../runs/summary.js";
import { taskLines } from "../runs/task-lines.js";
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

export const STATE_COLORS: Record<RunState, "green" | "red" | "yellow" | "cyan" | "magenta"> = {
  done: "green",
  failed: "red",
  interrupted: "yellow",
  running: "cyan",
  cancelled: "magenta",
};

/** `adhesive runs`: the project's runs, newest first, from their summaries (never their journals). */
export async function printRuns(io: RunsIo): Promise<void> {
  const c = createColors(io.color);
  const { runs, unreadable } = await listRuns(io.runsFolder, io.cwd);
  if (runs.length === 0 && unreadable.length === 0) {
    io.out.write(`no runs in ${shortPath(io.runsFolder, io.cwd)}\n`);
    return;
  }
  const rows = runs.map(({ summary: run }) => {
    const state = stateOf(run);
    const inFlight = state === "running" || state === "interrupted" ? run.inFlight : 0;
    return [
      run.id,
      c[STATE_COLORS[state]](state),
      shortPath(run.processFile ?? run.source, io.cwd),
      new Date(run.startedAt).toISOString().replace("T", " ").slice(0, 19),
      `${run.done} done, ${run.failed} failed${run.caught > 0 ? `, ${run.caught} caught` : ""}${inFlight > 0 ? `, ${inFlight} in flight` : ""}`,
      formatDuration(durationOf(run, state)),
    ];
  });
  io.out.write(table(["run", "state", "process", "started (UTC)", "tasks", "duration"], rows));
  for (const run of unreadable) io.out.write(`${c.red("unreadable")} ${run.id}: ${run.problem}\n`);
}

/** The task counts of one run: only what happened, so a run whose error was caught never reads "failed". */
function showCounts(run: RunSummary, state: RunState): string {
  const parts = [`${run.done} done`];
  if (run.failed > 0) parts.push(`${run.failed} failed`);
  if (run.caught > 0) parts.push(`${run.caught} caught`);
  if (state === "running" || state === "interrupted") parts.push(`${run.inFlight} in flight`);
  return parts.join(", ");
}

/** `adhesive runs show <id>`: the run and each of its task executions (since its journal's last snapshot). */
export async function printRun(idOrPrefix: string, io: RunsIo): Promise<void> {
  const c = createColors(io.color);
  const { folder } = await findRun(io.runsFolder, idOrPrefix);
  const journal = await readJournal(join(folder, JOURNAL_FILE));
  const run = (await readSummary(folder)) ?? summaryFromJournal(journal, io.cwd);
  const state = stateOf(run);
  // an error message (and a name) can carry escape sequences from data: shown escaped, never replayed
  io.out.write(`${c.bold(`run ${run.id}`)}: ${c[STATE_COLORS[state]](state)}${run.error ? ` (${visibleLine(run.error)})` : ""}\n`);
  io.out.write(`  process  ${visibleLine(run.processName)} in ${shortPath(run.source, io.cwd)}${run.processFile ? `, run by ${shortPath(run.processFile, io.cwd)}` : ""}\n`);
  io.out.write(`  started  ${new Date(run.startedAt).toISOString()}, ${formatDuration(durationOf(run, state))}\n`);
  io.out.write(`  tasks    ${showCounts(run, state)}\n`);
  io.out.write(`  folder   ${shortPath(folder, io.cwd)} (journal and logs)\n`);
  if (state === "interrupted") io.out.write(`  ${c.yellow("resume it with")} adhesive resume ${run.id}\n`);
  if (state === "failed") io.out.write(`  ${c.yellow("retry its failed task with")} adhesive resume ${run.id} --retry\n`);
  if (journal.totals !== undefined) io.out.write(`  ${c.dim(`the journal starts from a snapshot: ${journal.totals.done + journal.totals.failed} earlier task executions are counted above, not listed`)}\n`);
  io.out.write(taskTable(journal, state, c, true));
}

/** A run's task executions as `runs show` lists them (from a journal file or the store's stream); "" when there are none. `logs`: with each task's log file. */
export function taskTable(journal: Parameters<typeof taskLines>[0], state: RunState, c: ReturnType<typeof createColors>, logs: boolean): string {
  const rows = taskLines(journal, state).map((task) => {
    const row = [
      task.seq === undefined ? "" : `#${task.seq}`,
      visibleLine(`${task.name} (${task.elementId})`),
      new Date(task.started).toISOString().slice(11, 23),
      task.ended === undefined ? "" : formatDuration(task.ended - task.started),
      colorOutcome(task.outcome, c) + (task.attempts > 1 ? ` (attempt ${task.attempts})` : "") + (task.error ? `: ${visibleLine(task.error)}` : ""),
    ];
    if (logs) row.push(task.log ? join(LOGS_FOLDER, task.log) : "");
    return row;
  });
  if (rows.length === 0) return "";
  return `\n${table(["task", "element", "started", "took", "outcome", ...(logs ? ["log"] : [])], rows)}`;
}

/* until its end; a run that has not ended: until now while it runs, else its last activity */
function durationOf(run: RunSummary, state: RunState): number {
  return (run.endedAt ?? (state === "running" ? Date.now() : run.lastActivity)) - run.startedAt;
}

function colorOutcome(outcome: string, c: ReturnType<typeof createColors>): string {
  if (outcome === "done") return c.green(outcome);
  if (outcome === "failed") return c.red(outcome);
  if (outcome === "caught") return c.cyan(outcome);
  return c.yellow(outcome);
}

/* plain columns; colour codes do not count towards the width */
export function table(headers: string[], rows: string[][]): string {
  const visible = (text: string): number => text.replace(/\u001b\[[0-9;]*m/g, "").length;
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => visible(row[i]))));
  const line = (cells: string[]): string => `${cells.map((cell, i) => cell + " ".repeat(widths[i] - visible(cell))).join("  ").trimEnd()}\n`;
  return line(headers) + rows.map(line).join("");
}
