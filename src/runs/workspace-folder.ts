import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { processIdentity } from "../journal/process-identity.js";
import { createPrivateFolder, OWNER_ONLY_FILE } from "../workspaces/temp-folder.js";
import { WORKSPACE_FOLDER, WORKSPACE_MARKER_FILE } from "./files.js";
import { workspaceParentOf } from "./places.js";

/** What the marker beside a run's workspace says: whose run it is. */
export interface WorkspaceMarker {
  runId: string;
  /** the runs folder of the run's project: retention removes a workspace only for that project */
  runsFolder: string;
  /** the process that made it: a workspace whose run folder is gone is left alone while that process lives */
  pid: number;
  pidStart: number | undefined;
}

/**
 * The run's workspace, `<temp_folder>/<run id>/workspace`, and beside it a
 * marker naming the runs folder of the run's project. Several projects may
 * share a temp folder (the OS temp folder by default): retention and
 * `adhesive clean` remove a workspace only for the project whose runs
 * folder the marker names.
 *
 * Synchronous on purpose: these few metadata calls take microseconds, while
 * each one sent through libuv's thread pool cost a turn of the event loop,
 * about 2 ms per run in all, which is what a 1k-event run takes to run.
 */
export function createWorkspaceFolder(tempFolder: string, runId: string, runsFolder: string): string {
  // the temp folder itself may be shared (/tmp): it is created if missing, never changed
  mkdirSync(tempFolder, { recursive: true });
  const parent = workspaceParentOf(tempFolder, runId);
  createPrivateFolder(parent);
  const workspace = join(parent, WORKSPACE_FOLDER);
  createPrivateFolder(workspace);
  const { pid, start } = processIdentity();
  const marker: WorkspaceMarker = { runId, runsFolder, pid, pidStart: start };
  writeFileSync(join(parent, WORKSPACE_MARKER_FILE), `${JSON.stringify(marker)}\n`, { mode: OWNER_ONLY_FILE });
  return workspace;
}
