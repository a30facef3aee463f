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
  runs.set(run.id, run);
  if (runs.size <= KEEP_FINISHED) return;
  for (const [id, old] of runs) {
    if (runs.size <= KEEP_FINISHED) break;
    if (old.monitor.outcome !== "running") runs.delete(id);
  }
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
