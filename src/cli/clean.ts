import { rm } from "node:fs/promises";
import { createColors } from "picocolors";
import type { Config } from "../config/load.js";
import { UsageError, describe } from "../errors.js";
import { beyondRetention, folderSize, listRunFolders, pruneRunFolders, type RunFolder } from "../workspaces/run-folders.js";
import type { Output } from "./reporter.js";

export interface CleanOptions {
  dryRun: boolean;
  /** finished runs to keep, newest first (default 0: remove every finished run) */
  keep: string | undefined;
}

/**
 * `adhesive clean [--keep N] [--dry-run]`: removes the finished run folders
 * under temp_folder, listing each with its age and size; a running one is
 * never touched. With --dry-run it only lists what it would remove.
 */
export async function cleanRunFolders(options: CleanOptions, io: { out: Output; color: boolean; config: Config }): Promise<void> {
  const keep = parseKeep(options.keep);
  // workspaces under temp_folder, journals and logs under runs_folder (the same folder when both are set so)
  for (const folder of new Set([io.config.tempFolder, io.config.runsFolder])) await cleanFolder(folder, keep, options.dryRun, io);
}

async function cleanFolder(tempFolder: string, keep: number, dryRun: boolean, io: { out: Output; color: boolean }): Promise<void> {
  const options = { dryRun };
  const c = createColors(io.color);
  const folders = await listRunFolders(tempFolder);
  const removing = beyondRetention(folders, keep);
  let bytes = 0;
  for (const folder of removing) {
    const size = await folderSize(folder.path);
    bytes += size;
    if (!options.dryRun) await rm(folder.path, { recursive: true, force: true });
    io.out.write(`${options.dryRun ? c.yellow("would remove") : c.red("removed")} ${folder.executionId}  ${c.dim(`${age(folder)}, ${formatBytes(size)}`)}\n`);
  }
  const running = folders.filter((folder) => folder.running);
  for (const folder of running) io.out.write(`${c.green("kept")} ${folder.executionId}  ${c.dim(`${age(folder)}, running or resumable`)}\n`);
  const kept = folders.length - removing.length - running.length;
  const what = removing.length === 0 ? "nothing to remove" : `${options.dryRun ? "would remove" : "removed"} ${plural(removing.length, "run folder")} (${formatBytes(bytes)})`;
  const rest = [kept > 0 ? `kept the newest ${plural(kept, "finished run")}` : "", running.length > 0 ? `${running.length} running or resumable` : ""].filter(Boolean);
  io.out.write(`${what} under ${tempFolder}${rest.length > 0 ? `; ${rest.join(", ")}` : ""}\n`);
}

/**
 * keep_runs, applied when the CLI starts a process file: the finished run
 * folders beyond the newest keep_runs are removed. A folder that cannot be
 * removed is worth a warning, never a failed run.
 */
export async function applyRetention(config: Config, err: Output): Promise<void> {
  for (const folder of new Set([config.tempFolder, config.runsFolder])) {
    try {
      await pruneRunFolders(folder, config.keepRuns);
    } catch (error) {
      err.write(`warning: old run folders under ${folder} could not be removed (keep_runs: ${config.keepRuns}): ${describe(error)}\n`);
    }
  }
}

function parseKeep(keep: string | undefined): number {
  if (keep === undefined) return 0;
  if (!/^\d+$/.test(keep)) throw new UsageError(`adhesive clean --keep ${keep}: expected a whole number, 0 or more (how many of the newest finished runs to keep)`);
  return Number(keep);
}

function age(folder: RunFolder): string {
  const minutes = Math.max(0, Math.round((Date.now() - folder.modified.getTime()) / 60_000));
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
