import { readFileSync } from "node:fs";
import { join } from "node:path";
import { crc32 } from "../journal/crc32.js";
import type { Journal } from "../journal/reader.js";
import type { RunState } from "../journal/records.js";
import { SUMMARY_FILE, writeRunFileSync } from "./files.js";
import { journalOwner, taskStates } from "./journal-facts.js";

/**
 * A run as `adhesive runs`, retention, the resume hint and the live view's
 * runs list see it, from one small file in its folder (`run.json`): read in
 * O(1) per run, whatever the length of its journal. The run writes it when
 * it starts, every second or so while its counts change (summary-writer.ts),
 * and when it ends. Its checksum tells a damaged file from a good one; a
 * run without one (an older adhesive's, or damaged) is summed up from its
 * journal instead, once.
 */
export interface RunSummary {
  version: 2;
  id: string;
  /**
   * What the file says: "running" until the run ends. A run whose owner
   * died without ending it still says "running": stateOf() tells.
   */
  state: RunState;
  processId: string;
  processName: string;
  /** the BPMN file, or `<builder>` for a process built in code */
  source: string;
  /** the process file the CLI ran, if known */
  processFile: string | undefined;
  /** the working folder of the process that started it */
  project: string;
  /** the process that runs it (the last to resume it), and when that process started (process-identity.ts) */
  pid: number;
  pidStart: number | undefined;
  startedAt: number;
  endedAt: number | undefined;
  /** the last time its counts changed */
  lastActivity: number;
  done: number;
  /** task executions and other elements (a gateway, a loop, an event) that failed and were not caught */
  failed: number;
  /** failures an error boundary event (or error event sub-process) caught: the run went on */
  caught: number;
  inFlight: number;
  /** why it failed, was cancelled or interrupted */
  error: string | undefined;
  /** its control socket while it runs with an inbox (adhesive send, adhesive complete) */
  control: string | undefined;
  /** false: it keeps no journal and cannot be resumed */
  journal: boolean;
}

const SUMMARY_VERSION = 2;

/** Writes the summary with its checksum (the CRC-32 of its JSON without it). */
export function writeSummary(runFolder: string, summary: RunSummary): void {
  const json = JSON.stringify(summary);
  const checksum = crc32(Buffer.from(json)).toString(16).padStart(8, "0");
  writeRunFileSync(runFolder, SUMMARY_FILE, `${JSON.stringify({ ...summary, checksum }, null, 2)}\n`);
}

/**
 * The summary of the run in `runFolder`; undefined when it has none, or one
 * that is not intact (see summaryFromJournal). Read in line: a listing reads
 * one per run, and an await through libuv's thread pool per file made the
 * two listings of every CLI start (retention, the resume hint) take 4-12 ms
 * for 20 runs, against under 1 ms read in line.
 */
export async function readSummary(runFolder: string): Promise<RunSummary | undefined> {
  let text: string;
  try {
    text = readFileSync(join(runFolder, SUMMARY_FILE), "utf8");
  } catch {
    return undefined;
  }
  return parseSummary(text);
}

export function parseSummary(text: string): RunSummary | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== "object") return undefined;
  const { checksum, ...summary } = parsed as { checksum?: unknown };
  if ((summary as { version?: unknown }).version !== SUMMARY_VERSION || typeof checksum !== "string") return undefined;
  const expected = crc32(Buffer.from(JSON.stringify(summary))).toString(16).padStart(8, "0");
  return checksum === expected ? (summary as RunSummary) : undefined;
}

/**
 * The summary a journal gives, for a run whose folder has none (or a
 * damaged one): its end, or "running"; its counts; its times. `project`:
 * the journal does not say which project ran it; the runs folder's is.
 */
export function summaryFromJournal(journal: Journal, project: string): RunSummary {
  const { header, end } = journal;
  const tasks = taskStates(journal);
  const owner = journalOwner(journal);
  let last = header.at;
  for (const input of journal.inputs) last = Math.max(last, input.at);
  for (const note of journal.notes) if (typeof note.at === "number") last = Math.max(last, note.at);
  const running = tasks.filter((task) => task.outcome === "running").length;
  return {
    version: SUMMARY_VERSION,
    id: header.run,
    state: end?.state ?? "running",
    processId: header.process.id,
    processName: header.process.name,
    source: header.process.source,
    processFile: header.process.file,
    project,
    pid: owner.pid,
    pidStart: owner.start,
    startedAt: header.at,
    endedAt: end?.at,
    lastActivity: last,
    done: (journal.totals?.done ?? 0) + tasks.filter((task) => task.outcome === "done").length,
    failed: (journal.totals?.failed ?? 0) + tasks.filter((task) => task.outcome === "failed").length,
    caught: (journal.totals?.caught ?? 0) + tasks.filter((task) => task.outcome === "caught").length,
    inFlight: end === undefined || end.state === "interrupted" ? running : 0,
    error: end?.error,
    control: undefined,
    journal: true,
  };
}
