import { readdir, stat } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import { UsageError } from "../errors.js";
import { shortPath } from "./paths.js";

export const PROCESS_FILE_EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];
const DEFAULT_FILES = PROCESS_FILE_EXTENSIONS.map((extension) => `_adhesive${extension}`);

/**
 * The process file to load: the one given; for a folder, its one
 * `_adhesive.*` file; with nothing given, the one in the working directory.
 * Anything else is a UsageError that says what to run instead.
 */
export async function findProcessFile(given: string | undefined, cwd: string): Promise<string> {
  if (given === undefined) return defaultFileIn(cwd, cwd);
  const file = resolve(cwd, given);
  const kind = await kindOf(file);
  if (kind === "missing") throw new UsageError(`${given}: no such file`);
  if (kind === "folder") return defaultFileIn(file, cwd);
  const extension = extname(file).toLowerCase();
  if (extension === ".bpmn" || extension === ".xml") throw new UsageError(await bpmnGiven(given, file, cwd));
  if (!PROCESS_FILE_EXTENSIONS.includes(extension)) {
    throw new UsageError(`${given}: not a process file: adhesive runs TypeScript or JavaScript (${PROCESS_FILE_EXTENSIONS.join(", ")}) that calls bpmnBuild() or build()`);
  }
  return file;
}

async function defaultFileIn(folder: string, cwd: string): Promise<string> {
  const names = new Set(await readdir(folder).catch(() => []));
  const found = DEFAULT_FILES.filter((name) => names.has(name));
  const where = folder === cwd ? `the working directory ${cwd}` : shortPath(folder, cwd);
  if (found.length === 1) return join(folder, found[0]);
  if (found.length > 1) throw new UsageError(`${where} has ${found.length} process files (${found.join(", ")}): name the one to run`);
  const bpmn = [...names].filter((name) => name.endsWith(".bpmn"));
  const hint = bpmn.length > 0 ? `; it has ${bpmn.join(", ")}, which a process file runs with bpmnBuild()` : "";
  throw new UsageError(`no process file in ${where}: expected one of ${DEFAULT_FILES.join(", ")}${hint}`);
}

async function bpmnGiven(given: string, file: string, cwd: string): Promise<string> {
  const names = new Set(await readdir(dirname(file)).catch(() => []));
  const sibling = DEFAULT_FILES.find((name) => names.has(name));
  const run = sibling ? `run its process file (adhesive ${shortPath(join(dirname(file), sibling), cwd)})` : `run the process file that calls bpmnBuild("${basename(file)}")`;
  return `${given} is a BPMN diagram, not a process file: ${run}, or check the diagram with adhesive lint ${given}`;
}

async function kindOf(path: string): Promise<"file" | "folder" | "missing"> {
  try {
    return (await stat(path)).isDirectory() ? "folder" : "file";
  } catch {
    return "missing";
  }
}
