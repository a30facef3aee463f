import { readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { MonitorUpdate, RunOutcome } from "../monitor/run-monitor.js";
import { OWNER_ONLY_FILE } from "../workspaces/temp-folder.js";
import { RUN_MARKER } from "../workspaces/run-folders.js";

/**
 * What a run leaves in its folder for the live view and for other adhesive
 * processes (`adhesive send`, the runs list of a later `adhesive --ui`):
 * `run.json` when it starts (where its control socket is), `view.json`
 * (its final per-element counts, to draw it) when it ends. What the run did
 * is in its journal beside them; a run without `view.json` gets its state
 * from the journal (src/web/run-lookup.ts).
 */
export interface RunInfo {
  version: 1;
  id: string;
  processId: string;
  processName: string;
  /** the BPMN file, or `<builder>` for a process built in code */
  source: string;
  /** the process file the CLI ran, if known */
  processFile: string | undefined;
  /** the working folder of the process that ran it: the runs list shows the runs of one project */
  project: string;
  pid: number;
  /** ISO time, as the marker has it */
  started: string;
  startedAt: number;
  /** the run's control socket while it runs */
  control: string | undefined;
}

/** A run as the runs list shows it. */
export interface RunListing {
  id: string;
  processName: string;
  source: string;
  processFile: string | undefined;
  state: RunOutcome;
  startedAt: number;
  durationMs: number | undefined;
  completed: number;
  failed: number;
  /** failures an error boundary event caught */
  caught: number;
  running: number;
  /** this process runs it (its counts are live) */
  live: boolean;
}

/* the marker every run folder has (src/workspaces/run-folders.ts, which reads its pid), with what the live view needs added */
export const RUN_INFO = RUN_MARKER;
export const RUN_VIEW = "view.json";
/** a copy of the BPMN file as it was when the run started */
export const RUN_PROCESS = "process.bpmn";
/** a process built in code, to draw its diagram later */
export const RUN_DEFINITION = "definition.json";

/* the runs list reads at most this many run folders, newest first */
const LIST_LIMIT = 200;

/* written aside and renamed: a reader (the runs list, adhesive send) never sees half a file */
export async function writeRunFile(runFolder: string, name: string, content: string): Promise<void> {
  const path = join(runFolder, name);
  await writeFile(`${path}.tmp`, content, { mode: OWNER_ONLY_FILE });
  await rename(`${path}.tmp`, path);
}

export async function readRunInfo(runFolder: string): Promise<RunInfo | undefined> {
  return readJson<RunInfo>(join(runFolder, RUN_INFO));
}

export async function readRunView(runFolder: string): Promise<MonitorUpdate | undefined> {
  return readJson<MonitorUpdate>(join(runFolder, RUN_VIEW));
}

/** The runs of `project` found in runs_folder, newest first (a run without a view.json is running elsewhere or was interrupted). */
export async function listRunFolders(runsFolder: string, project: string): Promise<Array<{ info: RunInfo; view: MonitorUpdate | undefined }>> {
  let names: string[];
  try {
    names = await readdir(runsFolder);
  } catch {
    return [];
  }
  const dated = await Promise.all(
    names.map(async (name) => {
      const info = await stat(join(runsFolder, name, RUN_INFO)).catch(() => undefined);
      return info === undefined ? undefined : { name, mtime: info.mtimeMs };
    }),
  );
  const newest = dated.filter((entry) => entry !== undefined).sort((a, b) => b.mtime - a.mtime).slice(0, LIST_LIMIT);
  const runs = await Promise.all(
    newest.map(async ({ name }) => {
      const folder = join(runsFolder, name);
      const info = await readRunInfo(folder);
      if (info === undefined || info.project !== project) return undefined;
      return { info, view: await readRunView(folder) };
    }),
  );
  return runs.filter((run) => run !== undefined);
}

/** The folder of the run with this id, or the only one whose id starts with it. */
export async function findRunFolder(runsFolder: string, idOrPrefix: string): Promise<{ folder: string; info: RunInfo } | { problem: string }> {
  if (!/^[\w-]+$/.test(idOrPrefix)) return { problem: `"${idOrPrefix}" is not a run id` };
  const names = await readdir(runsFolder).catch(() => [] as string[]);
  const matching = names.filter((name) => name === idOrPrefix || name.startsWith(idOrPrefix));
  const exact = matching.includes(idOrPrefix) ? [idOrPrefix] : matching;
  const runs = (await Promise.all(exact.map(async (name) => ({ folder: join(runsFolder, name), info: await readRunInfo(join(runsFolder, name)) })))).filter(
    (run): run is { folder: string; info: RunInfo } => run.info !== undefined,
  );
  if (runs.length === 1) return runs[0];
  if (runs.length === 0) return { problem: `no run "${idOrPrefix}" in ${runsFolder}` };
  return { problem: `${runs.length} runs start with "${idOrPrefix}": ${runs.map((run) => run.info.id).join(", ")}; give more of the id` };
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}
