import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { lstat, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAlive } from "../journal/process-identity.js";
import { OWNER_ONLY_FILE, createPrivateFolder } from "../workspaces/temp-folder.js";
import { WORKSPACE_MARKER_FILE } from "./files.js";
import { RunFolderError } from "./folder-error.js";
import { listRuns, type ListedRun, type UnreadableRun } from "./list.js";
import { RUN_ID, runFolderOf, workspaceParentOf } from "./places.js";
import { diedRunning, stateOf } from "./state.js";
import type { WorkspaceMarker } from "./workspace-folder.js";

/** The two places of a project's runs (places.ts). */
export interface RetentionPlaces {
  runsFolder: string;
  tempFolder: string;
  /** the project's working folder, for runs summed up from their journal */
  project: string;
}

/** One run as retention sees it, with every folder that is its own. */
export interface RetainedRun {
  id: string;
  /** its folder under the runs folder, and its workspace's under the temp folder when that is another one and this project's */
  folders: string[];
  /** when it last did something (its end, else its last activity) */
  at: number;
}

/** What retention of `keep` runs does to a project's runs. */
export interface RetentionPlan {
  /** finished runs beyond the newest `keep`, newest first */
  removing: RetainedRun[];
  /** the newest `keep` finished runs */
  kept: RetainedRun[];
  /** runs still going, and runs whose runner died without ending them (kept for `adhesive resume`) */
  running: RetainedRun[];
  /** workspaces this project's runs left under the temp folder after their run folder went */
  orphans: RetainedRun[];
  /** run folders whose state cannot be read: left for a person to look at */
  unreadable: UnreadableRun[];
}

/**
 * Which of this project's runs retention removes: every run that ended
 * (done, failed, cancelled, or stopped by a signal such as Ctrl-C) beyond
 * the newest `keep`, started through the CLI or the API alike, with its
 * workspace. Never a run that is still going, nor one whose runner died
 * without ending it (kill -9, a power cut: nobody chose to stop it, and
 * `adhesive resume` needs its journal). Only this project's: a workspace
 * under the temp folder (which several projects may share) is removed only
 * when its marker names this project's runs folder.
 */
export async function planRetention(places: RetentionPlaces, keep: number, options: { orphans: boolean } = { orphans: true }): Promise<RetentionPlan> {
  const { runs, unreadable } = await listRuns(places.runsFolder, places.project);
  const plan: RetentionPlan = { removing: [], kept: [], running: [], orphans: [], unreadable };
  const ended: RetainedRun[] = [];
  for (const run of runs) {
    const retained = { id: run.id, folders: await foldersOf(run, places), at: run.summary.endedAt ?? run.summary.lastActivity };
    if (stateOf(run.summary) === "running" || diedRunning(run.summary)) plan.running.push(retained);
    else ended.push(retained);
  }
  // listRuns sorts newest first by start
  plan.kept = ended.slice(0, keep);
  plan.removing = ended.slice(keep);
  if (options.orphans) plan.orphans = await orphanWorkspaces(places);
  return plan;
}

/** Removes what the plan removes, each run's workspace before its run folder (a run found again after a crash between is removed then). */
export async function removeRuns(runs: readonly RetainedRun[]): Promise<void> {
  for (const run of runs) {
    for (const folder of [...run.folders].reverse()) {
      try {
        await rm(folder, { recursive: true, force: true });
      } catch (error) {
        throw new RunFolderError(folder, "remove", error);
      }
    }
  }
}

/* the last time each runs folder was pruned by a run of this process (pruneOnce) */
const pruned = new Map<string, number>();
const PRUNE_EVERY_MS = 60_000;
const ORPHAN_SCAN_EVERY_MS = 60 * 60_000;
/* outside both folders: tests and tools list the runs folder as runs and the temp folder as workspaces */
const ORPHAN_SCAN_STAMPS = join(tmpdir(), "adhesive-orphan-scans");
/* a project that has not started for this long is most likely gone (a test's temporary project): its stamp goes */
const STAMP_KEPT_MS = 30 * 24 * 60 * 60_000;

/**
 * Retention as a run starts: at most once a minute per runs folder in a
 * process, so a program that starts runs by the thousand through the API
 * does not list the runs folder for each. The CLI prunes before it loads
 * the process file (and reports what it could not remove); this is what
 * prunes runs started through the API alone. Orphan workspaces are looked
 * for at most once an hour per project (orphanScanDue).
 */
export async function pruneOnce(places: RetentionPlaces, keep: number, now = Date.now()): Promise<RetentionPlan | undefined> {
  const last = pruned.get(places.runsFolder);
  if (last !== undefined && now - last < PRUNE_EVERY_MS) return undefined;
  pruned.set(places.runsFolder, now);
  const plan = await planRetention(places, keep, { orphans: orphanScanDue(places, now) });
  await removeRuns([...plan.removing, ...plan.orphans]);
  return plan;
}

/*
 * Looking for orphan workspaces reads the marker of every workspace under
 * the temp folder, which all projects share: 0.2 s and more per start where
 * test suites left 10k of them. Every start of every project did it. A
 * stamp per project (its runs folder and temp folder) makes it once an
 * hour; a project without one (a new one, or one from before the stamp)
 * starts its hour then: what a removed run folder leaves behind waits up to
 * an hour, and `adhesive clean` always looks. A stamp that cannot be
 * written means no look.
 */
function orphanScanDue(places: RetentionPlaces, now: number): boolean {
  // without a temp folder there is nothing to look at
  if (places.tempFolder === places.runsFolder || !existsSync(places.tempFolder)) return false;
  const folder = ORPHAN_SCAN_STAMPS;
  const stamp = join(folder, createHash("sha256").update(`${places.runsFolder}\0${places.tempFolder}`).digest("hex").slice(0, 32));
  let last: number | undefined;
  try {
    last = Number(readFileSync(stamp, "utf8"));
  } catch {
    last = undefined;
  }
  // a clock set back, or a stamp that is no number, counts as an hour gone
  const due = last !== undefined && !(now - last < ORPHAN_SCAN_EVERY_MS && now >= last);
  if (last !== undefined && !due) return false;
  try {
    // before the look: starts at the same moment do not all look
    createPrivateFolder(folder);
    writeFileSync(stamp, String(now), { mode: OWNER_ONLY_FILE });
  } catch {
    return false;
  }
  if (due) removeStaleStamps(folder, now);
  return due;
}

/*
 * Every project that ever started leaves a stamp, and test suites start
 * thousands of temporary ones: stamps untouched for a month are removed,
 * at most once an hour (with the scan that is due). A project whose stamp
 * went only starts its hour again.
 */
function removeStaleStamps(folder: string, now: number): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(folder, name);
    try {
      if (now - statSync(path).mtimeMs > STAMP_KEPT_MS) rmSync(path, { force: true });
    } catch {
      // gone already, or another user's: not ours to remove
    }
  }
}

/** Bytes under a folder (files only, links not followed). */
export async function folderSize(path: string): Promise<number> {
  const entries = await readdir(path, { recursive: true }).catch(() => [] as string[]);
  let total = 0;
  for (const entry of entries) {
    const info = await lstat(join(path, entry)).catch(() => undefined);
    if (info?.isFile()) total += info.size;
  }
  return total;
}

/* the run folder, and the workspace's when it is another folder and its marker says it is this project's */
async function foldersOf(run: ListedRun, places: RetentionPlaces): Promise<string[]> {
  const workspace = workspaceParentOf(places.tempFolder, run.id);
  if (workspace === run.folder) return [run.folder];
  return markerOf(workspace)?.runsFolder === places.runsFolder ? [run.folder, workspace] : [run.folder];
}

/*
 * Workspaces of this project (by their marker) whose run folder is gone:
 * what a removed run or an interrupted removal left. The look goes through
 * the temp folder that all projects share, so the markers are read
 * synchronously: awaiting each read through libuv's thread pool took 1.5 s
 * for 10k workspaces, reading them in line 0.2 s.
 */
async function orphanWorkspaces(places: RetentionPlaces): Promise<RetainedRun[]> {
  if (places.tempFolder === places.runsFolder) return [];
  const orphans: RetainedRun[] = [];
  for (const id of await readdir(places.tempFolder).catch(() => [] as string[])) {
    if (!RUN_ID.test(id) || existsSync(runFolderOf(places.runsFolder, id))) continue;
    const folder = workspaceParentOf(places.tempFolder, id);
    const marker = markerOf(folder);
    if (marker?.runsFolder !== places.runsFolder || isAlive({ pid: marker.pid, start: marker.pidStart })) continue;
    const at = (await lstat(folder).catch(() => undefined))?.mtimeMs ?? 0;
    orphans.push({ id, folders: [folder], at });
  }
  return orphans;
}

function markerOf(folder: string): WorkspaceMarker | undefined {
  try {
    return JSON.parse(readFileSync(join(folder, WORKSPACE_MARKER_FILE), "utf8")) as WorkspaceMarker;
  } catch {
    return undefined;
  }
}
