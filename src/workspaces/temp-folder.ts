import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RUN_MARKER } from "./run-folders.js";

/** Logs and run folders may hold what tasks printed and the secret files of withSecret: their owner's only. */
export const OWNER_ONLY_FILE = 0o600;
export const OWNER_ONLY_FOLDER = 0o700;

/**
 * The folders of one run: `<temp>/<executionId>/workspace` for commands,
 * `logs/` beside it, and a marker naming the process that owns the run, so
 * the retention of run folders never removes one that is still running.
 *
 * Synchronous on purpose: these few metadata calls take microseconds, while
 * each one sent through libuv's thread pool cost a turn of the event loop,
 * about 2 ms per run in all, which is what a 1k-event run takes to run.
 */
export function createRunFolder(tempFolder: string, executionId: string): string {
  // the temp folder itself may be shared (/tmp): it is created if missing, never changed
  mkdirSync(tempFolder, { recursive: true });
  const run = join(tempFolder, executionId);
  createPrivateFolder(run);
  const workspace = join(run, "workspace");
  createPrivateFolder(workspace);
  writeFileSync(join(run, RUN_MARKER), `${JSON.stringify({ pid: process.pid, started: new Date().toISOString() })}\n`, { mode: OWNER_ONLY_FILE });
  return workspace;
}

/** A folder only its owner can read, whatever the umask (which can only take bits away from mkdir's mode). Synchronous, as above. */
export function createPrivateFolder(path: string): void {
  mkdirSync(path, { recursive: true, mode: OWNER_ONLY_FOLDER });
  chmodSync(path, OWNER_ONLY_FOLDER);
}
