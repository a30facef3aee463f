/* A journal file's records as plain objects, for tests that look at what a run wrote (each line is JSON, a tab and its checksum: framing.ts). */
import { readFile } from "node:fs/promises";

export async function journalRecords<R = Record<string, unknown>>(file: string): Promise<R[]> {
  return (await readFile(file, "utf8"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line.slice(0, line.lastIndexOf("\t"))) as R);
}
