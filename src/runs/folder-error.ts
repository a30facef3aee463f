import { AdhesiveError, fileSystemReason } from "../errors.js";

/** A run's folder (under runs_folder or temp_folder) that cannot be made or written: names the path and why (a full disk, a read-only folder). */
export class RunFolderError extends AdhesiveError {
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
    throw new RunFolderError(path, doing, error);
  }
}
