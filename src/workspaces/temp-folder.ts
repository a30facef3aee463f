import { chmodSync, mkdirSync } from "node:fs";

/** Logs and run folders may hold what tasks printed and the secret files of withSecret: their owner's only. */
export const OWNER_ONLY_FILE = 0o600;
export const OWNER_ONLY_FOLDER = 0o700;

/** A folder only its owner can read, whatever the umask (which can only take bits away from mkdir's mode). Synchronous: a few microseconds. */
export function createPrivateFolder(path: string): void {
  mkdirSync(path, { recursive: true, mode: OWNER_ONLY_FOLDER });
  chmodSync(path, OWNER_ONLY_FOLDER);
}
