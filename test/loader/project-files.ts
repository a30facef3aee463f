/* A folder of files for the loader's tests: each name a path inside it (sub-folders made), each value its text. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Writes `files` into a new folder under `parent`; the folder. */
export function writeFiles(parent: string, files: Record<string, string>): string {
  const folder = mkdtempSync(join(parent, "files-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(folder, name, ".."), { recursive: true });
    writeFileSync(join(folder, name), text);
  }
  return folder;
}
