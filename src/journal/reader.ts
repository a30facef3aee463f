import type { EngineCheckpoint } from "../engine/checkpoint.js";
import type { Data } from "../engine/data.js";
import type { ReplayInput } from "../engine/journal.js";
import { describe } from "../errors.js";
import { JournalError } from "./journal-error.js";
import { checkFrame, isTornFrame } from "./framing.js";
import { readLines } from "./lines.js";
import type { ProcessIdentity } from "./process-identity.js";
import { JOURNAL_VERSION, READABLE_VERSIONS, failureError, type FailureRecord, type JournalHeader, type RunState } from "./records.js";
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
  element?: { id: string; name: string; error: string; i?: number };
}

export interface Journal {
  file: string;
  header: JournalHeader;
  inputs: ReplayInput[];
  notes: JournalNote[];
  end: JournalEnd | undefined;
  /** bytes of a last record cut off by a crash; it is ignored (its task runs again) */
  torn: number;
  /** bytes of the whole records read (from the start of the file) */
  length: number;
  /** from the snapshot the journal starts with (snapshot.ts): who owned the run then */
  owner: ProcessIdentity | undefined;
  /** from the snapshot: tasks done and failed before it */
  totals: { done: number; failed: number; caught: number } | undefined;
  /** from the snapshot: the engine's numbers and result, which the inputs after it go on from */
  checkpoint: EngineCheckpoint | undefined;
  /** from the snapshot: per element, the last message event it got before it */
  lastEvents: Map<string, unknown>;
}

/**
 * Reads a journal back, line by line from the file (never the whole file
 * as one string: journals grow beyond the longest string V8 can hold). A
 * last line without its newline is a record the crash cut off: ignored.
 * Anything else that is not a record (a changed byte fails its checksum)
 * is corruption, reported with the file and the byte offset of the record.
 */
export async function readJournal(file: string): Promise<Journal> {
  const reading = new JournalReading(file);
  await readLines(file, (bytes, start, end, offset) => reading.line(bytes, start, end, offset), (bytes, start, end, offset) => reading.tail(bytes, start, end, offset));
  return reading.journal();
}

/** The first record of a journal only (who ran what): read without the rest of the file. */
export async function readJournalHeader(file: string): Promise<JournalHeader> {
  const reading = new JournalReading(file);
  await readLines(file, (bytes, start, end, offset) => (reading.line(bytes, start, end, offset), false), () => undefined);
  return reading.journal().header;
}

/** The same from a journal's bytes in memory (tests, small journals). */
export function parseJournal(text: string | Buffer, file: string): Journal {
  const bytes = typeof text === "string" ? Buffer.from(text) : text;
  const reading = new JournalReading(file);
  let start = 0;
  for (let newline = bytes.indexOf(10); newline >= 0; newline = bytes.indexOf(10, start)) {
    reading.line(bytes, start, newline, start);
    start = newline + 1;
  }
  reading.tail(bytes, start, bytes.length, start);
  return reading.journal();
}

/**
 * The same from records that come one at a time from elsewhere, in the
 * file's format: a store's journal stream holds one framed line per entry
 * (src/store/journal-stream.ts). `place` names where a record is, for the
 * message of a corrupt one (a file says its byte offset).
 */
export class JournalLines {
  private readonly reading: JournalReading;
  private offset = 0;

  constructor(name: string, place: (offset: number) => string) {
    this.reading = new JournalReading(name, place);
  }

  /** One record's framed line, without its newline. */
  add(line: Buffer): void {
    this.reading.line(line, 0, line.length, this.offset);
    this.offset += line.length + 1;
  }

  journal(): Journal {
    return this.reading.journal();
  }
}

/** Records turned into a Journal one line at a time: checks the header first, then each record. */
class JournalReading {
  private readonly file: string;
  private readonly place: (offset: number) => string;
  private header: JournalHeader | undefined;
  /* format 2 lines carry a checksum; format 1 lines are plain JSON */
  private framed = false;
  private readonly result: Journal;

  constructor(file: string, place: (offset: number) => string = (offset) => `byte offset ${offset}`) {
    this.file = file;
    this.place = place;
    this.result = { file, header: undefined as unknown as JournalHeader, inputs: [], notes: [], end: undefined, torn: 0, length: 0, owner: undefined, totals: undefined, checkpoint: undefined, lastEvents: new Map() };
  }

  line(bytes: Buffer, start: number, end: number, offset: number): void {
    this.result.length = offset + end - start + 1;
    if (this.header === undefined) {
      this.framed = typeof checkFrame(bytes, start, end) === "number";
      const record = this.parse(bytes, start, end, offset);
      this.result.header = this.header = checkHeader(record, this.file, this.framed, this.place(offset));
      return;
    }
    addRecord(this.result, this.parse(bytes, start, end, offset), this.file, offset, this.place);
  }

  /** What follows the last newline: a record a crash cut off (ignored), or damage. */
  tail(bytes: Buffer, start: number, end: number, offset: number): void {
    if (end === start) return;
    if (this.framed && !isTornFrame(bytes, start, end)) {
      throw new JournalError(this.file, `corrupt record at byte offset ${offset}: the last line is neither a whole record nor the beginning of one a crash could leave`);
    }
    this.result.torn = end - start;
  }

  journal(): Journal {
    if (this.header === undefined) throw new JournalError(this.file, "the journal has no complete first record (the run header): it was cut off before the run started, and cannot be resumed");
    return this.result;
  }

  private parse(bytes: Buffer, start: number, end: number, offset: number): Record<string, unknown> {
    let jsonEnd = end;
    if (this.framed) {
      const checked = checkFrame(bytes, start, end);
      if (typeof checked === "string") throw new JournalError(this.file, `corrupt record at ${this.place(offset)}: ${checked}`);
      jsonEnd = checked;
    }
    let record: unknown;
    try {
      record = JSON.parse(bytes.toString("utf8", start, jsonEnd));
    } catch (error) {
      throw new JournalError(this.file, `corrupt record at ${this.place(offset)}: ${describe(error)}`);
    }
    if (record === null || typeof record !== "object" || typeof (record as { t?: unknown }).t !== "string") {
      throw new JournalError(this.file, `corrupt record at ${this.place(offset)}: not a journal record`);
    }
    return record as Record<string, unknown>;
  }

}

function checkHeader(record: Record<string, unknown>, file: string, framed: boolean, place: string): JournalHeader {
  if (record.t !== "run") throw new JournalError(file, "the first record is not a run header: this is not an adhesive journal");
  if (!READABLE_VERSIONS.includes(record.v as number)) {
    throw new JournalError(file, `journal format version ${String(record.v)}; this adhesive reads version ${JOURNAL_VERSION}${Number(record.v) > JOURNAL_VERSION ? " (it was written by a newer adhesive)" : ` and ${READABLE_VERSIONS.filter((v) => v !== JOURNAL_VERSION).join(", ")}`}`);
  }
  // a checksum on every line is what format 2 is: a header of version 2 without one was changed
  if ((record.v === 1) === framed) throw new JournalError(file, `corrupt record at ${place}: a version ${String(record.v)} header ${framed ? "with" : "without"} a checksum`);
  return record as unknown as JournalHeader;
}

const INPUT_TYPES = new Set(["s", "d", "f", "tm", "em", "dl"]);

function addRecord(journal: Journal, record: Record<string, unknown>, file: string, offset: number, place: (offset: number) => string): void {
  const bad = (what: string): never => {
    throw new JournalError(file, `corrupt record at ${place(offset)}: a "${String(record.t)}" record ${what}`);
  };
  // times are relative to the run's start; an input must have one (inputs have the short types), a note may
  const input = INPUT_TYPES.has(record.t as string);
  const time = typeof record.at === "number" ? journal.header.at + record.at : input ? bad("has no time") : undefined;
  const at = time as number;
  const int = (field: string): number => (Number.isInteger(record[field]) ? (record[field] as number) : bad(`has no ${field}`));
  const text = (field: string): string => (typeof record[field] === "string" ? (record[field] as string) : bad(`has no ${field}`));
  switch (record.t) {
    case "s":
      if (Array.isArray(record.n)) {
        // format 3: a run of first starts, numbered from s; format 4: k instances in a row that each started them
        const nodes = record.n as unknown[];
        const instances = record.k === undefined ? 1 : int("k");
        for (let k = 0, seq = int("s"); k < instances; k++) {
          for (const node of nodes) journal.inputs.push({ kind: "started", seq: seq++, node: typeof node === "string" ? node : bad("has no n"), attempt: 1, at });
        }
        return;
      }
      journal.inputs.push({ kind: "started", seq: int("s"), node: text("n"), attempt: record.a === undefined ? 1 : int("a"), at });
      return;
    case "d":
      if (record.to !== undefined) {
        // format 3: tasks s to `to` returned, changing nothing
        const last = int("to");
        for (let seq = int("s"); seq <= last; seq++) journal.inputs.push({ kind: "done", seq, set: {}, deleted: [], decision: undefined, at });
        return;
      }
      journal.inputs.push({ kind: "done", seq: int("s"), set: decodeChanges(record.c, bad), deleted: (record.r as string[] | undefined) ?? [], decision: record.g === undefined ? undefined : decode(record.g, bad), at });
      return;
    case "f":
      journal.inputs.push({ kind: "failed", seq: int("s"), error: failureError(record.e as FailureRecord), at });
      return;
    case "tm":
      journal.inputs.push({ kind: "timer", arm: int("a"), at });
      return;
    case "em":
      // format 4: message events that started instances one after the other
      if (Array.isArray(record.e)) for (const event of record.e as unknown[]) journal.inputs.push({ kind: "emitted", node: text("n"), event: decode(event, bad), at });
      else journal.inputs.push({ kind: "emitted", node: text("n"), event: decode(record.e, bad), at });
      return;
    case "dl":
      journal.inputs.push({ kind: "delivered", node: text("n"), event: decode(record.e, bad), correlation: typeof record.k === "string" ? record.k : undefined, at });
      return;
    case "snap":
      readSnapshot(journal, record, bad);
      return;
    case "end":
      journal.end = { ...record, at: time } as JournalEnd;
      journal.notes.push(journal.end);
      return;
    case "ie":
      // a message instance ended: for people (the console), one per instance, and nothing a resume needs
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

/* the record a journal file starts from, right after its header (snapshot.ts) */
function readSnapshot(journal: Journal, record: Record<string, unknown>, bad: (what: string) => never): void {
  if (journal.checkpoint !== undefined || journal.inputs.length > 0 || journal.notes.length > 0) bad("is not right after the header");
  const numbers = record.n as Record<string, unknown> | undefined;
  const whole = (value: unknown, what: string): number => (Number.isInteger(value) && (value as number) >= 0 ? (value as number) : bad(`has no ${what}`));
  const { tasks, tokens, frames, arms, instances } = numbers ?? {};
  journal.checkpoint = {
    tasks: whole(tasks, "task number"),
    tokens: whole(tokens, "token number"),
    frames: whole(frames, "frame number"),
    arms: whole(arms, "arm number"),
    instances: instances === undefined ? undefined : whole(instances, "instance number"),
    result: record.r === undefined ? undefined : (decode(record.r, bad) as Data),
  };
  // snapshots of journals written before caught failures were counted apart have no caught count
  journal.totals = { done: whole(record.done, "done count"), failed: whole(record.failed, "failed count"), caught: record.caught === undefined ? 0 : whole(record.caught, "caught count") };
  const owner = record.owner as { pid?: unknown; start?: unknown } | undefined;
  journal.owner = { pid: whole(owner?.pid, "owner"), start: typeof owner?.start === "number" ? owner.start : undefined };
  const last = record.last;
  if (last === null || typeof last !== "object") bad("has no last events");
  for (const [node, event] of Object.entries(last as object)) journal.lastEvents.set(node, decode(event, bad));
  if (!Array.isArray(record.pids)) bad("has no process groups");
  for (const entry of record.pids as unknown[]) {
    const [pid, start] = Array.isArray(entry) ? entry : [];
    journal.notes.push({ t: "pid", pid: whole(pid, "process group"), start: typeof start === "number" ? start : undefined });
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
