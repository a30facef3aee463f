import type { ProcessDefinition } from "../model/definition.js";
import { redactJson, redactValue } from "../secrets/redact.js";
import { encodeValue, isJson, type EncodedValue } from "./values.js";

/**
 * The journal format's version: the first line of every journal says it.
 * 2: every line ends with the checksum of its record (framing.ts), and a
 * journal may start from a snapshot. Journals of version 1 (no checksums)
 * are still read, and a resume writes them on as version 2.
 * 3: a run of first starts (the tasks one step started together) is one
 * `s` record naming their elements, and a run of completions that changed
 * nothing one `d` record with the last task's number (`to`). A resumed
 * journal of version 2 goes on with one record per start and completion.
 * 4: message events of one element at one time that started instances in
 * a row are one `em` record (`e` the list of their values), and instances
 * in a row that each started the same elements one `s` record (`k` how
 * many instances). A resumed journal of version 3 goes on without them.
 */
export const JOURNAL_VERSION = 4;
export const READABLE_VERSIONS: readonly number[] = [1, 2, 3, 4];

/** The record format a resumed journal goes on in: its own, so the adhesive that wrote it can still read it (version 1 had no records of its own to keep). */
export function continuedVersion(headerVersion: number): number {
  return headerVersion === 1 ? JOURNAL_VERSION : headerVersion;
}
export const JOURNAL_FILE = "journal.ndjson";

/**
 * The first line of a journal: what is needed to rebuild the run without
 * the process file's code (the definition itself, its options, the initial
 * data) and to tell whether the process changed since (hashes).
 */
export interface JournalHeader {
  t: "run";
  v: number;
  run: string;
  at: number;
  /** the process that ran it (see process-identity.ts) */
  pid: number;
  start: number | undefined;
  /** the BPMN file (or builder) and process, and the process file that ran it, if known */
  process: { source: string; id: string; name: string; file: string | undefined };
  definition: ProcessDefinition;
  /** sha256 of the definition, and per element the sha256 of the function it ran with */
  hashes: { definition: string; implementations: Record<string, string> };
  options: { waitTasks: boolean; poolSize: number };
  initial: EncodedValue;
}

/** How a run ended. "interrupted" (a signal, or no end at all) can be resumed. */
export type RunState = "running" | "interrupted" | "failed" | "done" | "cancelled";

/** A failure as the journal keeps it: enough to catch it at the same error boundary again. */
export interface FailureRecord {
  name: string;
  message: string;
  stack: string | undefined;
  code: string | undefined;
  errorCode: string | undefined;
}

/*
 * One line per record (framing.ts), `t` its type. Inputs (what the engine applied):
 *   s   a task started      {s: task number, n: element id, a: attempt (left out: 1),
 *                            i?: its message instance (see em), at}
 *       tasks started together (format 3) {s: the first's number, n: [element ids], i?, at}:
 *                            tasks s, s + 1, ... in that order, each its first attempt
 *       instances that each started them (format 4) {s, n: [element ids], i, k, at}: instances
 *                            i to i + k - 1, one after the other, tasks numbered on from s
 *   d   it returned         {s, at, c?: {key: value} it set, r?: [keys] it removed,
 *                            g?: value, what a deciding gateway's function returned (the flow to take)}
 *       tasks that returned in a row, changing nothing (format 3) {s, to: the last's number, at}
 *   f   it failed           {s, at, e: FailureRecord}
 *   tm  a timer fired       {a: arm number, at}
 *   em  a message started an instance       {n: element id, at, e: value, i: its number
 *                                            (1 for the run's first; older journals have none)}
 *       events that started instances in a row (format 4) {n, at, e: [values], i: the first's number}
 *   dl  a message went to waiting elements  {n, at, e: value, k?: correlation expression}
 * Notes (for people and for `adhesive runs`, not replayed):
 *   lane {name, open: true|false, at}; pid / pid-end {pid: process group, at};
 *   ie {i: instance number, at}: a message instance ended (its tokens all reached an end);
 *   ie {i, to, at} (format 3): instances i to `to` ended, one after the other;
 *   resume {pid, at, retry?}; end {state, at, error?, data?, element?: {id, name, error,
 *   i?: its message instance} where the run failed}; caught {n: element id, s?: the task's
 *   number, i?: its message instance, at, error}:
 *   an error boundary event (or error event sub-process) caught that failure
 *   (a task's own failure is its "f" record before it)
 * Values: {j: JSON} or {x: base64 of v8.serialize} (values.ts). Times (at)
 * are milliseconds since the run started (the header's at, epoch ms).
 */

const nodeIds = new WeakMap<object, string>();

/** The JSON text of an id, kept per node so the hot path does not stringify it again. */
export function jsonId(key: object, id: string): string {
  let text = nodeIds.get(key);
  if (text === undefined) nodeIds.set(key, (text = JSON.stringify(id)));
  return text;
}

/* The JSON of records; the writer frames each on its line (framing.ts). Secrets in them are masked (redactJson). */

export function failedJson(seq: number, at: number, failure: FailureRecord): string {
  return `{"t":"f","s":${seq},"at":${at},"e":${redactJson(failure)}}`;
}

export function timerJson(arm: number, at: number): string {
  return `{"t":"tm","a":${arm},"at":${at}}`;
}

/* a message to waiting events; "em" records are put together from bytes (journal-records.ts) */
export function deliveredJson(node: string, at: number, event: unknown, correlation?: string): string {
  const picked = correlation === undefined ? "" : `,"k":${redactJson(correlation)}`;
  return `{"t":"dl","n":${node},"at":${at},"e":${valueText(event)}${picked}}`;
}


/** `"c":{...},"r":[...]` for the keys a task changed: those still in `data` were set, the others removed. */
export function changesText(data: Record<string, unknown>, changed: readonly string[]): string {
  let set = "";
  let removed = "";
  for (const key of changed) {
    if (Object.hasOwn(data, key)) set += `${set === "" ? "" : ","}${JSON.stringify(key)}:${valueText(data[key])}`;
    else removed += `${removed === "" ? "" : ","}${JSON.stringify(key)}`;
  }
  return [set === "" ? "" : `"c":{${set}}`, removed === "" ? "" : `"r":[${removed}]`].filter(Boolean).join(",");
}

export function noteJson(note: Record<string, unknown>): string {
  return redactJson(note);
}

/*
 * JSON values go straight into the line; only the others pay for an object
 * and v8.serialize. A secret value in data is journaled masked (redactValue:
 * nothing to do while no secret was read): the journal is kept after the
 * run, and a resumed run reads the secret again where it needs it.
 */
export function valueText(value: unknown): string {
  const masked = redactValue(value);
  return isJson(masked) ? `{"j":${JSON.stringify(masked)}}` : JSON.stringify(encodeValue(masked));
}

export function failureRecord(error: unknown): FailureRecord {
  if (!(error instanceof Error)) return { name: "Error", message: String(error), stack: undefined, code: undefined, errorCode: undefined };
  const { code, errorCode } = error as { code?: unknown; errorCode?: unknown };
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    code: typeof code === "string" ? code : undefined,
    errorCode: typeof errorCode === "string" ? errorCode : undefined,
  };
}

/** The failure again, as an Error that error boundaries match the same way (by errorCode, code or name). */
export function failureError(record: FailureRecord): Error {
  const error = new Error(record.message);
  return Object.assign(error, { name: record.name, stack: record.stack ?? error.stack, code: record.code, errorCode: record.errorCode });
}
