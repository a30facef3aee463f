import { resumeTarget } from "../runs/resume-target.js";
import { elementPage, type ShownExecution } from "../console/entries.js";
import { describe } from "../errors.js";
import { InboxError } from "../inbox/inbox-error.js";
import { cancelRun } from "../inbox/run-control.js";
import type { RunState } from "../journal/records.js";
import { resumeInCli } from "./actions-cli.js";
import type { RunPlaces, ViewedRun } from "./run-lookup.js";

/*
 * Incidents and actions on a run's page (docs/console.md): Retry (what
 * `adhesive resume --retry` does), Resume (`adhesive resume`) and Cancel
 * (`adhesive cancel`), each through the code of the CLI: the first two
 * start the CLI itself (actions-cli.ts), the third is run-control.ts's
 * cancelRun. Which action a run offers follows from its state alone.
 */

export type ActionName = "retry" | "resume" | "cancel";

const OFFERED: Record<ActionName, { state: RunState; title: string; refusal: string }> = {
  retry: { state: "failed", title: "Retry", refusal: "only a failed run can be retried (an interrupted one is resumed)" },
  resume: { state: "interrupted", title: "Resume", refusal: "only an interrupted run can be resumed (a failed one is retried)" },
  cancel: { state: "running", title: "Cancel", refusal: "only a running run can be cancelled" },
};

export interface OfferedAction {
  name: ActionName;
  title: string;
  /** what the page asks before it does it */
  confirm: string;
  /** why it cannot be done to this run (the CLI would refuse it for the same reason) */
  refused: string | undefined;
}

/** A failed task (or another element) that failed the run, as Operate shows an incident. */
export interface Incident {
  elementId: string | undefined;
  name: string | undefined;
  /** why the run failed, as its journal's end says */
  error: string | undefined;
  at: number | undefined;
  /** the failed task execution: its own error, attempts and log file */
  execution: ShownExecution | undefined;
}

export interface RunActions {
  state: RunState;
  actions: OfferedAction[];
  incident: Incident | undefined;
}

/** GET /api/runs/<id>/actions: what can be done to the run now, and the incident of a failed run. */
export async function runActions(run: ViewedRun, places: RunPlaces): Promise<RunActions> {
  const state = run.runState();
  const names = (Object.keys(OFFERED) as ActionName[]).filter((name) => OFFERED[name].state === state);
  const actions = await Promise.all(names.map(async (name) => ({ name, title: OFFERED[name].title, confirm: confirmation(name, run), refused: await refusal(name, run, places) })));
  return { state, actions, incident: state === "failed" ? await incidentOf(run) : undefined };
}

/** POST /api/runs/<id>/actions/<name>: does it, once the page asked; a 409 ADHESIVE_ACTION_REFUSED says why not. */
export async function takeAction(run: ViewedRun, name: string, places: RunPlaces): Promise<unknown> {
  if (!Object.hasOwn(OFFERED, name)) throw new InboxError("ADHESIVE_NOT_FOUND", `no action "${name}": a run's actions are ${Object.keys(OFFERED).join(", ")}`, 404);
  const action = name as ActionName;
  const state = run.runState();
  if (state !== OFFERED[action].state) throw refused(`run ${run.info.id} is ${state}: ${OFFERED[action].refusal}`);
  const why = await refusal(action, run, places);
  if (why !== undefined) throw refused(why);
  if (action === "cancel" && run.store !== undefined && run.live === undefined) {
    // through the run's inbox in the store: its owner cancels it, on whichever host it runs; no owner answering: what became of the request
    const answer = (await run.store.request({ op: "cancel", from: "console" })) as { state?: RunState; message?: string };
    return { action, run: run.info.id, state: answer.state ?? "running", note: answer.message };
  }
  if (action === "cancel") {
    const { state: now } = await cancelRun(places.runsFolder, run.info.id, "console");
    return { action, run: run.info.id, state: now };
  }
  const { pid, claimed, state: now } = await resumeInCli(places, { id: run.info.id, folder: run.folder }, action === "retry");
  return { action, run: run.info.id, pid, claimed, state: now };
}

function refused(message: string): InboxError {
  return new InboxError("ADHESIVE_ACTION_REFUSED", message, 409);
}

function confirmation(name: ActionName, run: ViewedRun): string {
  const which = `run ${run.info.id.slice(0, 8)} of ${run.info.processName || run.info.source}`;
  switch (name) {
    case "retry":
      return `Run the failed task of ${which} again, and go on from there? This starts adhesive resume --retry with the process file as it is now.`;
    case "resume":
      return `Continue ${which} from its journal? This starts adhesive resume with the process file as it is now; the tasks that were running run again.`;
    case "cancel":
      return `Cancel ${which} for good? Its running tasks are stopped and their commands killed; a cancelled run cannot be resumed.`;
  }
}

/* what the CLI would refuse before it runs anything: the same checks (resume.ts; a cancel needs the run's control socket) */
async function refusal(name: ActionName, run: ViewedRun, places: RunPlaces): Promise<string | undefined> {
  if (run.store !== undefined && run.live === undefined) {
    if (name === "cancel") return undefined;
    return `run ${run.info.id} lives in the store ${(await run.store.facts())?.store ?? ""}: adhesive resume ${run.info.id}${name === "retry" ? " --retry" : ""} --store <url> takes it up on a host that has its process file`;
  }
  if (name === "cancel") return run.info.control === undefined ? `run ${run.info.id} runs without an inbox (no control socket): only its own process can stop it` : undefined;
  try {
    await resumeTarget(run.info.id, { retry: name === "retry", force: false }, places.runsFolder, places.project);
    return undefined;
  } catch (error) {
    return describe(error);
  }
}

async function incidentOf(run: ViewedRun): Promise<Incident> {
  const { view } = await run.journal().catch(() => ({ view: undefined }));
  const end = view?.end;
  const elementId = end?.elementId;
  if (view === undefined || elementId === undefined) return { elementId, name: undefined, error: end?.error ?? run.info.error, at: end?.at, execution: undefined };
  const { element, executions } = elementPage(view, elementId, "failed");
  const execution = executions.findLast((candidate) => candidate.outcome === "failed");
  return { elementId, name: element.name, error: end?.error ?? run.info.error, at: end?.at, execution };
}
