import type { FormView } from "../inbox/forms.js";
import type { LiveRun } from "./live-run.js";

/* finished runs stay viewable from memory up to this many; older ones from their run folders */
const KEEP_FINISHED = 50;

const runs = new Map<string, LiveRun>();

/** The runs of this process that have a live view or an inbox, newest last. */
export function liveRuns(): LiveRun[] {
  return [...runs.values()];
}

export function liveRun(id: string): LiveRun | undefined {
  return runs.get(id);
}

export function registerLiveRun(run: LiveRun): void {
  const known = runs.has(run.id);
  runs.set(run.id, run);
  if (!known) for (const listener of runListeners) listener(run);
  if (runs.size <= KEEP_FINISHED) return;
  for (const [id, old] of runs) {
    if (runs.size <= KEEP_FINISHED) break;
    if (old.monitor.outcome !== "running") runs.delete(id);
  }
}

const runListeners = new Set<(run: LiveRun) => void>();

/** Hears of every run of this process that is listed from now on (the CLI prints the address of its page). */
export function onRunListed(listener: (run: LiveRun) => void): () => void {
  runListeners.add(listener);
  return () => runListeners.delete(listener);
}

type FormListener = (run: LiveRun, form: FormView) => void;

const formListeners = new Set<FormListener>();

/** Hears of every form a run of this process opens (the CLI says how to answer it when no terminal can). */
export function onFormOpened(listener: FormListener): () => void {
  formListeners.add(listener);
  return () => formListeners.delete(listener);
}

export function formOpened(run: LiveRun, form: FormView): void {
  for (const listener of formListeners) listener(run, form);
}
