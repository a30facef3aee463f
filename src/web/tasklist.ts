import { describe } from "../errors.js";
import { requestControl } from "../inbox/control-client.js";
import type { FormView } from "../inbox/forms.js";
import { InboxError } from "../inbox/inbox-error.js";
import { completeUserTask } from "../inbox/run-control.js";
import { liveRun } from "../live/registry.js";
import { runFolderOf } from "../runs/places.js";
import { readSummary } from "../runs/summary.js";
import { viewRun, type RunPlaces } from "./run-lookup.js";
import { runsList } from "./runs-list.js";

/*
 * The tasklist (docs/console.md): every user task that waits for an answer
 * in a running run of the project, read from each run's control socket,
 * and answered the way `adhesive complete` answers one (run-control.ts).
 * The first answer wins: one that comes later finds the form gone.
 */

/* a run that does not say what waits in it within this time is listed as unreachable, not waited for */
const ASK_TIMEOUT_MS = 3_000;
/* the running runs asked at once */
const MAX_RUNS = 1000;

export interface OpenTask {
  runId: string;
  processName: string;
  source: string;
  runStartedAt: number;
  form: FormView;
}

export interface Tasklist {
  /** the forms that wait longest first */
  tasks: OpenTask[];
  /** running runs that did not answer */
  unreachable: Array<{ runId: string; message: string }>;
}

/** GET /api/tasks. */
export async function openTasks(places: RunPlaces): Promise<Tasklist> {
  const { runs } = await runsList(places, { state: "running", limit: MAX_RUNS });
  const tasks: OpenTask[] = [];
  const unreachable: Tasklist["unreachable"] = [];
  await Promise.all(
    runs.map(async (run) => {
      // this process's runs and the others' alike: through their control sockets (read from run.json, not by a search of the folder)
      const control = liveRun(run.id)?.info.control ?? (await readSummary(runFolderOf(places.runsFolder, run.id)))?.control;
      if (control === undefined) return;
      try {
        const { forms } = (await requestControl(control, { op: "state" }, run.id, ASK_TIMEOUT_MS)) as { forms?: FormView[] };
        for (const form of forms ?? []) tasks.push({ runId: run.id, processName: run.processName, source: run.source, runStartedAt: run.startedAt, form });
      } catch (error) {
        // a run that ended meanwhile has no tasks; one that does not answer is said
        if (!(error instanceof InboxError && error.status === 409)) unreachable.push({ runId: run.id, message: describe(error) });
      }
    }),
  );
  tasks.sort((a, b) => a.form.openedAt - b.form.openedAt || a.runId.localeCompare(b.runId));
  return { tasks, unreachable };
}

/** POST /api/tasks/<run>/<form>: the answer, as `adhesive complete` gives it; `{ answered }` once the run's journal holds it. */
export async function answerTask(places: RunPlaces, runId: string, formId: string, answers: unknown): Promise<{ run: string; answered: FormView }> {
  const run = await viewRun(runId, places);
  try {
    const { id, form } = await completeUserTask(places.runsFolder, run.info.id, formId, answers, "console");
    return { run: id, answered: form };
  } catch (error) {
    if (error instanceof InboxError && error.code === "ADHESIVE_NO_SUCH_FORM") {
      throw new InboxError(error.code, `run ${run.info.id} no longer waits for form ${formId}: another answer came first, or the run went on (${error.message})`, 409);
    }
    throw error;
  }
}
