/* A journal file's records as plain objects, for tests that look at what a run wrote (each line is JSON, a tab and its checksum: framing.ts). */
import { readFile } from "node:fs/promises";

export async function journalRecords<R = Record<string, unknown>>(file: string): Promise<R[]> {
  return (await readFile(file, "utf8"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line.slice(0, line.lastIndexOf("\t"))) as R);
}

/*
 * The records with each group of journal format 3 as one record per task
 * or instance, in the order its numbers go: tasks started together
 * ({"t":"s","s":first,"n":[ids]}), completions in a row that changed
 * nothing ({"t":"d","s":first,"to":last}) and instances that ended in a row
 * ({"t":"ie","i":first,"to":last}), and of format 4, instances in a row that
 * each started the same elements ({"t":"s",...,"k":instances}) and message
 * events that started them ({"t":"em","e":[values],"i":first}), as the
 * console and the reader take them.
 */
export function perTask<R extends { t: string; s?: number; i?: number; n?: unknown; to?: unknown; e?: unknown }>(records: readonly R[]): R[] {
  return records.flatMap((record): R[] => {
    if (record.t === "ie" && typeof record.to === "number") {
      const { to, ...one } = record;
      return Array.from({ length: to - record.i! + 1 }, (_, k) => ({ ...one, i: record.i! + k }) as unknown as R);
    }
    if (record.t === "s" && Array.isArray(record.n)) {
      const { k, ...one } = record as R & { k?: number };
      const nodes = record.n as unknown[];
      return Array.from({ length: (k ?? 1) * nodes.length }, (_, i) => ({ ...one, s: record.s! + i, n: nodes[i % nodes.length], ...(k === undefined ? {} : { i: record.i! + Math.floor(i / nodes.length) }) }) as unknown as R);
    }
    if (record.t === "em" && Array.isArray(record.e)) {
      return record.e.map((e: unknown, k) => ({ ...record, e, i: record.i! + k }) as unknown as R);
    }
    if (record.t === "d" && typeof record.to === "number") {
      const { to, ...one } = record;
      return Array.from({ length: to - record.s! + 1 }, (_, i) => ({ ...one, s: record.s! + i }) as unknown as R);
    }
    return [record];
  });
}
