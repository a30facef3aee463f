import { access } from "node:fs/promises";
import { resolve } from "node:path";
import { UsageError } from "../errors.js";

const DEFAULT_FILES = ["_adhesive.ts", "_adhesive.mts", "_adhesive.cts", "_adhesive.js", "_adhesive.mjs", "_adhesive.cjs"];

/** The process file to load: the one given, or `./_adhesive.{ts,mts,cts,js,mjs,cjs}`. */
export async function findProcessFile(given: string | undefined, cwd: string): Promise<string> {
  if (given !== undefined) {
    const file = resolve(cwd, given);
    if (!(await exists(file))) throw new UsageError(`${given}: no such file`);
    return file;
  }
  for (const name of DEFAULT_FILES) {
    const file = resolve(cwd, name);
    if (await exists(file)) return file;
  }
  throw new UsageError(`no process file given and none of ${DEFAULT_FILES.join(", ")} in ${cwd}`);
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
