import { UsageError } from "../errors.js";
import { loadBullmq } from "./bullmq.js";
import type { Store } from "./connection.js";
import { readRegistry } from "./registry.js";
import type { Incident } from "./remote-tasks.js";

/**
 * `adhesive retry <run> <task>`: puts the job of an incident (a remote task
 * whose job ran out of stalls) back for the pool's workers, under the same
 * id; the run's orchestrator, whose task waits on that job, records its
 * completion as usual. `task` is the element id, the task's name or its
 * number in the run.
 */
export async function retryIncident(store: Store, runId: string, task: string): Promise<Incident> {
  const entry = await readRegistry(store, runId);
  if (entry === undefined) throw new UsageError(`run ${runId}: the store ${store.address.shown} has no such run`);
  const incident = entry.incidents.find((open) => open.node === task || open.task === task || String(open.seq) === task);
  if (incident === undefined) {
    const open = entry.incidents.map((one) => `${one.task} (${one.node}, #${one.seq})`).join(", ");
    throw new UsageError(`run ${runId} has no incident of task ${JSON.stringify(task)}${open === "" ? ": it has none" : `; its incidents: ${open}`}`);
  }
  const { Job, Queue } = await loadBullmq();
  const queue = new Queue(incident.queue, { connection: store.connection });
  try {
    const job = await Job.fromId(queue, incident.job);
    if (job === undefined) throw new UsageError(`run ${runId}: job ${incident.job} is no longer in queue ${incident.queue} (kept keep_results_s)`);
    if ((await job.getState()) === "failed") await job.retry("failed");
    return incident;
  } finally {
    await queue.close();
  }
}
