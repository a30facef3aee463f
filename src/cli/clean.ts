import { createColors } from "picocolors";
import type { Config } from "../config/load.js";
import { UsageError, fileSystemReason } from "../errors.js";
import { folderSize, planRetention, pruneOnce, removeRuns, type RetentionPlaces } from "../runs/retention.js";
import type { Output } from "./reporter.js";

export interface CleanOptions {
  dryRun: boolean;
  /** finished runs to keep, newest first (default 0: remove every finished run) */
  keep: string | undefined;
}

/**
 * `adhesive clean [--keep N] [--dry-run]`: removes this project's finished
 * runs (their folder under runs_folder and their workspace under
 * temp_folder), listing each with its age and size; a run still going, or
 * one whose runner died without ending it, is never touched, nor anything of
 * another project in a shared temp folder. With --dry-run it only lists
 * what it would remove.
 */
export async function cleanRunFolders(options: CleanOptions, io: { out: Output; color: boolean; cwd: string; config: Config }): Promise<void> {
  const keep = parseKeep(options.keep);
  const c = createColors(io.color);
  const plan = await planRetention(placesOf(io.config, io.cwd), keep);
  const removing = [...plan.removing, ...plan.orphans];
  let bytes = 0;
  for (const run of removing) {
    let size = 0;
    for (const folder of run.folders) size += await folderSize(folder);
    bytes += size;
    if (!options.dryRun) await removeRuns([run]);
    io.out.write(`${options.dryRun ? c.yellow("would remove") : c.red("removed")} ${run.id}  ${c.dim(`${age(run.at)}, ${formatBytes(size)}${plan.orphans.includes(run) ? ", a workspace whose run folder is gone" : ""}`)}\n`);
  }
  for (const run of plan.running) io.out.write(`${c.green("kept")} ${run.id}  ${c.dim(`${age(run.at)}, running or resumable`)}\n`);
  for (const run of plan.unreadable) io.out.write(`${c.yellow("kept")} ${run.id}  ${c.dim(`unreadable, left for you to look at: ${run.problem}`)}\n`);
  const { runsFolder, tempFolder } = io.config;
  const where = runsFolder === tempFolder ? runsFolder : `${runsFolder} (workspaces under ${tempFolder})`;
  const what = removing.length === 0 ? "nothing to remove" : `${options.dryRun ? "would remove" : "removed"} ${plural(removing.length, "run folder")} (${formatBytes(bytes)})`;
  const rest = [plan.kept.length > 0 ? `kept the newest ${plural(plan.kept.length, "finished run")}` : "", plan.running.length > 0 ? `${plan.running.length} running or resumable` : ""].filter(Boolean);
  io.out.write(`${what} under ${where}${rest.length > 0 ? `; ${rest.join(", ")}` : ""}\n`);
}

/**
 * keep_runs, applied when the CLI starts a process file: this project's
 * finished runs beyond the newest keep_runs are removed. A folder that
 * cannot be removed is worth a warning, never a failed run.
 */
export async function applyRetention(config: Config, cwd: string, err: Output): Promise<void> {
  try {
    await pruneOnce(placesOf(config, cwd), config.keepRuns);
  } catch (error) {
    err.write(`warning: old runs under ${config.runsFolder} could not be removed (keep_runs: ${config.keepRuns}): ${fileSystemReason(error)}\n`);
  }
}

function placesOf(config: Config, cwd: string): RetentionPlaces {
  return { runsFolder: config.runsFolder, tempFolder: config.tempFolder, project: cwd };
}

function parseKeep(keep: string | undefined): number {
  if (keep === undefined) return 0;
  if (!/^\d+$/.test(keep)) throw new UsageError(`adhesive clean --keep ${keep}: expected a whole number, 0 or more (how many of the newest finished runs to keep)`);
  return Number(keep);
}

function age(at: number): string {
  const minutes = Math.max(0, Math.round((Date.now() - at) / 60_000));
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
