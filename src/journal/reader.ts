import { readFile } from "node:fs/promises";
import type { ReplayInput } from "../engine/journal.js";
import { describe } from "../errors.js";
import { JournalError } from "./journal-error.js";
import { JOURNAL_VERSION, failureError, type FailureRecord, type JournalHeader, type RunState } from "./records.js";
import { decodeValue, type EncodedValue } from "./values.js";

/** A note of the journal (lanes, process groups, resumes, the end): for people and `adhesive runs`, not replayed. */
export interface JournalNote {
  t: string;
  at?: number;
  [field: string]: unknown;
}

export interface JournalEnd extends JournalNote {
  t: "end";
  state: RunState;
  error?: string;
  /** the element whose failure failed the run, and why it failed */
  element?: { id: string; name: string; error: string };
}

export interface Journal {
  file: string;
  header: JournalHeader;
  inputs: ReplayInput[];
  notes: JournalNote[];
  end: JournalEnd | undefined;
  /** bytes of a last record cut off by a crash; it is ignored (its task runs again) */
  torn: number;
}

/**
 * Reads a journal back. A last line without its newline is a record the
 * crash cut off: ignored. Anything else that does not parse is corruption,
 * reported with the file and the byte offset of the record.
 */
export async function readJournal(file: string): Promise<Journal> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new JournalError(file, `cannot read the journal: ${describe(error)}`, { cause: error });
  }
  return parseJournal(text, file);
}

export function parseJournal(text: string, file: string): Journal {
  const lines = text.split("\n");
  // text after the last newline was being written when the process died
  const tail = lines.pop() ?? "";
  let offset = 0;
  let header: JournalHeader | undefined;
  const journal: Journal = { file, header: undefined as unknown as JournalHeader, inputs: [], notes: [], end: undefined, torn: Buffer.byteLength(tail) };
  for (const line of lines) {
    const record = parseLine(line, file, offset);
    if (header === undefined) journal.header = header = checkHeader(record, file);
    else addRecord(journal, record, file, offset);
    offset += Buffer.byteLength(line) + 1;
  }
  if (header === undefined) throw new JournalError(file, "the journal has no complete first record (the run header): it was cut off before the run started, and cannot be resumed");
  return journal;
}

function parseLine(line: string, file: string, offset: number): Record<string, unknown> {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (error) {
    throw new JournalError(file, `corrupt record at byte offset ${offset}: ${describe(error)}`);
  }
  if (record === null || typeof record !== "object" || typeof (record as { t?: unknown }).t !== "string") {
    throw new JournalError(file, `corrupt record at byte offset ${offset}: not a journal record`);
  }
  return record as Record<string, unknown>;
}

function checkHeader(record: Record<string, unknown>, file: string): JournalHeader {
  if (record.t !== "run") throw new JournalError(file, "the first record is not a run header: this is not an adhesive journal");
  if (record.v !== JOURNAL_VERSION) {
    throw new JournalError(file, `journal format version ${String(record.v)}; this adhesive reads version ${JOURNAL_VERSION}${Number(record.v) > JOURNAL_VERSION ? " (it was written by a newer adhesive)" : ""}`);
  }
  return record as unknown as JournalHeader;
}

const INPUT_TYPES = new Set(["s", "d", "f", "tm", "em", "dl"]);

function addRecord(journal: Journal, record: Record<string, unknown>, file: string, offset: number): void {
  const bad = (what: string): never => {
    throw new JournalError(file, `corrupt record at byte offset ${offset}: a "${String(record.t)}" record ${what}`);
  };
  // times are relative to the run's start; an input must have one (inputs have the short types), a note may
  const input = INPUT_TYPES.has(record.t as string);
  const time = typeof record.at === "number" ? journal.header.at + record.at : input ? bad("has no time") : undefined;
  const at = time as number;
  const int = (field: string): number => (Number.isInteger(record[field]) ? (record[field] as number) : bad(`has no ${field}`));
  const text = (field: string): string => (typeof record[field] === "string" ? (record[field] as string) : bad(`has no ${field}`));
  switch (record.t) {
    case "s":
      journal.inputs.push({ kind: "started", seq: int("s"), node: text("n"), attempt: record.a === undefined ? 1 : int("a"), at });
      return;
    case "d":
      journal.inputs.push({ kind: "done", seq: int("s"), set: decodeChanges(record.c, bad), deleted: (record.r as string[] | undefined) ?? [], decision: record.g === undefined ? undefined : decode(record.g, bad), at });
      return;
    case "f":
      journal.inputs.push({ kind: "failed", seq: int("s"), error: failureError(record.e as FailureRecord), at });
      return;
    case "tm":
      journal.inputs.push({ kind: "timer", arm: int("a"), at });
      return;
    case "em":
      journal.inputs.push({ kind: "emitted", node: text("n"), event: decode(record.e, bad), at });
      return;
    case "dl":
      journal.inputs.push({ kind: "delivered", node: text("n"), event: decode(record.e, bad), correlation: typeof record.k === "string" ? record.k : undefined, at });
      return;
    case "end":
      journal.end = { ...record, at: time } as JournalEnd;
      journal.notes.push(journal.end);
      return;
    case "resume":
      // what ended before was continued (a retried failure): the run has not ended again yet
      journal.end = undefined;
      journal.notes.push({ ...record, at: time } as JournalNote);
      return;
    default:
      journal.notes.push({ ...record, at: time } as JournalNote);
  }
}

function decodeChanges(changes: unknown, bad: (what: string) => never): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  if (changes === undefined) return set;
  if (changes === null || typeof changes !== "object") bad("has changes that are not an object");
  for (const key of Object.keys(changes as object)) {
    Object.defineProperty(set, key, { value: decode((changes as Record<string, unknown>)[key], bad), enumerable: true, writable: true, configurable: true });
  }
  return set;
}

function decode(value: unknown, bad: (what: string) => never): unknown {
  if (value === null || typeof value !== "object" || !("j" in value || "x" in value)) bad("has a value that is not {j} or {x}");
  try {
    return decodeValue(value as EncodedValue);
  } catch (error) {
    return bad(`has a value that cannot be decoded (${describe(error)})`);
  }
}
