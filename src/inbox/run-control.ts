import { setTimeout as sleep } from "node:timers/promises";
import { findRun } from "../runs/find.js";
import { stateOf } from "../runs/state.js";
import { readSummary, type RunSummary } from "../runs/summary.js";
import type { RunState } from "../journal/records.js";
import { requestControl } from "./control-client.js";
import type { RequestSource } from "./control-socket.js";
import type { FormView } from "./forms.js";
import { InboxError } from "./inbox-error.js";

/*
 * What another process does to a running run of the project, through the
 * run's control socket: `adhesive send`, `complete` and `cancel`, and the
 * console's tasklist and Cancel, which go through these same functions.
 */

/** How long a cancelled run is waited for: its tasks' own code gets 10 s, their commands 2 s more (docs/cli.md). */
const CANCEL_WAIT_MS = 15_000;
const CANCEL_POLL_MS = 50;

export interface ReachedRun {
  id: string;
  folder: string;
  /** its control socket */
  control: string;
}

/** The running run with this id (or the only one whose id starts with it), and where its control socket is. */
export async function reachRun(runsFolder: string, idOrPrefix: string): Promise<ReachedRun> {
  const { id, folder } = await findRun(runsFolder, idOrPrefix);
  const summary = await readSummary(folder);
  if (summary === undefined || stateOf(summary) !== "running") throw new InboxError("ADHESIVE_RUN_ENDED", `run ${id} is not running (its process has ended)`, 409);
  if (summary.control === undefined) throw new InboxError("ADHESIVE_RUN_UNREACHABLE", `run ${id} has no control socket: it runs without an inbox`, 409);
  return { id, folder, control: summary.control };
}

/** Answers a user task the run waits on (its form by id, element id or task name); resolves once the answer is in the run's journal. */
export async function completeUserTask(runsFolder: string, idOrPrefix: string, task: string, data: unknown, from: RequestSource): Promise<{ id: string; form: FormView }> {
  const run = await reachRun(runsFolder, idOrPrefix);
  const form = (await requestControl(run.control, { op: "complete", task, data: data ?? {}, from }, run.id)) as FormView;
  return { id: run.id, form };
}

export interface CancelOutcome {
  id: string;
  /** how the run stands once it stopped, or "running" while it still stops its tasks after the wait */
  state: RunState;
  summary: RunSummary | undefined;
}

/**
 * Cancels a running run for good: its tasks are cancelled, their commands
 * killed, its lanes torn down, and it ends "cancelled" (its journal's end
 * says so; it cannot be resumed). Resolves once its summary says it ended,
 * or after the wait with "running" when its tasks take longer to stop.
 */
export async function cancelRun(runsFolder: string, idOrPrefix: string, from: RequestSource): Promise<CancelOutcome> {
  const run = await reachRun(runsFolder, idOrPrefix);
  await requestControl(run.control, { op: "cancel", from }, run.id);
  const deadline = Date.now() + CANCEL_WAIT_MS;
  for (;;) {
    const summary = await readSummary(run.folder);
    const state = summary === undefined ? "running" : stateOf(summary);
    if (state !== "running" || Date.now() > deadline) return { id: run.id, state, summary };
    await sleep(CANCEL_POLL_MS);
  }
}
