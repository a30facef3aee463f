import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RUN_MARKER } from "./run-folders.js";

/**
 * The folders of one run: `<temp>/<executionId>/workspace` for commands,
 * `logs/` beside it, and a marker naming the process that owns the run, so
 * the retention of run folders never removes one that is still running.
 */
export async function createRunFolder(tempFolder: string, executionId: string): Promise<string> {
  const workspace = join(tempFolder, executionId, "workspace");
  await mkdir(workspace, { recursive: true });
  await writeFile(join(tempFolder, executionId, RUN_MARKER), `${JSON.stringify({ pid: process.pid, started: new Date().toISOString() })}\n`);
  return workspace;
}
