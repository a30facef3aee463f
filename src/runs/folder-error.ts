import { accessSync, constants, existsSync } from "node:fs";
import { dirname } from "node:path";
import { AdhesiveError, fileSystemReason } from "../errors.js";

/** A run's folder (under runs_folder or temp_folder) that cannot be made or written: names the path and why (a full disk, a read-only folder). */
export class RunFolderError extends AdhesiveError {
  /** always `ADHESIVE_RUN_FOLDER` */
  declare readonly code: "ADHESIVE_RUN_FOLDER";
  /** the folder or file that could not be made or written */
  readonly path: string;

  constructor(path: string, doing: string, cause: unknown) {
    super("ADHESIVE_RUN_FOLDER", `cannot ${doing} ${path}: ${fileSystemReason(cause)}`, { cause });
    this.path = path;
  }
}

/** Runs `make`, turning a file system error into a RunFolderError about `path`. */
export function inRunFolder<T>(path: string, doing: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    throw new RunFolderError(path, doing, underlying(path, error));
  }
}

/*
 * mkdir -p reports ENOENT when a folder above cannot be made (a read-only
 * file system, no permission): the first folder that exists says why.
 */
function underlying(path: string, error: unknown): unknown {
  if ((error as NodeJS.ErrnoException).code !== "ENOENT") return error;
  let folder = dirname(path);
  while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
  try {
    accessSync(folder, constants.W_OK);
    return error;
  } catch (denied) {
    return denied;
  }
}
