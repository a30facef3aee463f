import { open } from "node:fs/promises";
import { join } from "node:path";
import { JOURNAL_FILE } from "../runs/files.js";
import { decodeValue, type EncodedValue } from "../journal/values.js";
import { redact } from "../secrets/redact.js";
import { shownValue } from "./shown-value.js";

/* a header longer than this (a huge definition or initial data) is not searched */
const MAX_HEAD_BYTES = 1024 * 1024;
/* the end record is looked for in this much of the journal's end */
const TAIL_BYTES = 64 * 1024;

/**
 * What a text search of the runs list looks in besides the id and names:
 * the run's initial data (the journal's header) and, once it ended, its
 * result (the journal's end record), lower-cased. Two reads of the
 * journal's ends, whatever its length; empty when there is no journal.
 */
export async function runDataText(folder: string): Promise<string> {
  let handle;
  try {
    handle = await open(join(folder, JOURNAL_FILE), "r");
  } catch {
    return "";
  }
  try {
    const { size } = await handle.stat();
    const parts: string[] = [];
    const header = await firstLine(handle, Math.min(size, MAX_HEAD_BYTES));
    if (header !== undefined) parts.push(valueText(header.initial));
    const end = await endRecord(handle, size);
    if (end !== undefined) parts.push(valueText(end.data));
    return redact(parts.join("\n")).toLowerCase();
  } finally {
    await handle.close();
  }
}

async function firstLine(handle: Awaited<ReturnType<typeof open>>, max: number): Promise<Record<string, unknown> | undefined> {
  const buffer = Buffer.allocUnsafe(max);
  const { bytesRead } = await handle.read(buffer, 0, max, 0);
  const newline = buffer.subarray(0, bytesRead).indexOf(10);
  return newline < 0 ? undefined : parseRecord(buffer.toString("utf8", 0, newline));
}

async function endRecord(handle: Awaited<ReturnType<typeof open>>, size: number): Promise<Record<string, unknown> | undefined> {
  const start = Math.max(0, size - TAIL_BYTES);
  const buffer = Buffer.allocUnsafe(size - start);
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
  const lines = buffer.toString("utf8", 0, bytesRead).split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i].startsWith('{"t":"end"')) continue;
    return parseRecord(lines[i]);
  }
  return undefined;
}

/* a line is its JSON, then a tab and its checksum (framing.ts); the search needs no check */
function parseRecord(line: string): Record<string, unknown> | undefined {
  const tab = line.lastIndexOf("\t");
  try {
    return JSON.parse(tab < 0 ? line : line.slice(0, tab)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function valueText(value: unknown): string {
  if (value === null || typeof value !== "object" || !("j" in value || "x" in value)) return "";
  try {
    return JSON.stringify(shownValue(decodeValue(value as EncodedValue))) ?? "";
  } catch {
    return "";
  }
}
