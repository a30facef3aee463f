import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { ProcessGraph } from "../model/graph.js";

/** A task execution's log file as the live view lists it. */
export interface LogEntry {
  file: string;
  /** the task name as written in the file name */
  task: string;
  tokenId: number;
  /** the element whose name gives that file name, when one does */
  elementId: string | undefined;
  bytes: number;
}

const LOG_NAME = /^(.*)\.(\d+)\.log$/;

/**
 * The log files of a run (`<task>.<token>.log`, see src/logs/task-log.ts),
 * each matched to the element whose (possibly templated) name gives that
 * file name. Read from the folder when asked, so the engine keeps no list
 * of task executions.
 */
export async function listLogs(folder: string, graph: ProcessGraph | undefined): Promise<LogEntry[]> {
  const names = await readdir(folder).catch(() => [] as string[]);
  const matchers = graph === undefined ? [] : graph.nodes.map((node) => ({ id: node.id, pattern: fileNamePattern(node.name) }));
  const entries = await Promise.all(
    names.map(async (file) => {
      const match = LOG_NAME.exec(file);
      if (match === null) return undefined;
      const info = await stat(join(folder, file)).catch(() => undefined);
      if (info === undefined) return undefined;
      const elementId = matchers.find((m) => m.pattern.test(match[1]))?.id;
      return { file, task: match[1], tokenId: Number(match[2]), elementId, bytes: info.size };
    }),
  );
  return entries.filter((entry) => entry !== undefined).sort((a, b) => a.tokenId - b.tokenId || a.file.localeCompare(b.file));
}

/** Whether `file` names a log file of the run (and nothing outside its folder). */
export function isLogFileName(file: string): boolean {
  return LOG_NAME.test(file) && !file.includes("/") && !file.includes("\\") && !file.startsWith(".");
}

/* the file name is the rendered name made file-safe: placeholders may have become anything file-safe */
function fileNamePattern(name: string): RegExp {
  const parts = name.split(/\{[^}]*\}/).map((part) => fileSafe(part).replace(/[.*+?^$()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join("[\\w.-]*")}$`);
}

/* as src/logs/task-log.ts names files, without its length cut (a cut name still starts the same) */
function fileSafe(name: string): string {
  return name.replace(/[^\w.-]+/g, "_");
}
