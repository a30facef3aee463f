import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RUN_MARKER } from "./run-folders.js";

/** Logs and run folders may hold what tasks printed and the secret files of withSecret: their owner's only. */
export const OWNER_ONLY_FILE = 0o600;
export const OWNER_ONLY_FOLDER = 0o700;

/**
 * The folders of one run: `<temp>/<executionId>/workspace` for commands,
 * `logs/` beside it, and a marker naming the process that owns the run, so
 * the retention of run folders never removes one that is still running.
 */
export async function createRunFolder(tempFolder: string, executionId: string): Promise<string> {
  // the temp folder itself may be shared (/tmp): it is created if missing, never changed
  await mkdir(tempFolder, { recursive: true });
  const run = join(tempFolder, executionId);
  await createPrivateFolder(run);
  const workspace = join(run, "workspace");
  await createPrivateFolder(workspace);
  await writeFile(join(run, RUN_MARKER), `${JSON.stringify({ pid: process.pid, started: new Date().toISOString() })}\n`, { mode: OWNER_ONLY_FILE });
  return workspace;
}

/** A folder only its owner can read, whatever the umask (which can only take bits away from mkdir's mode). */
export async function createPrivateFolder(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: OWNER_ONLY_FOLDER });
  await chmod(path, OWNER_ONLY_FOLDER);
}
