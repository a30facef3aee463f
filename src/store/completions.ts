import { failureOfReason, type RemoteChanges, type RemoteOutcome, type RemoteTaskJob } from "./remote-outcome.js";

/** How a job ended, from an event or from asking the job. */
export type JobEnd = { state: "completed"; returnvalue: unknown } | { state: "failed"; failedReason: string };

/**
 * The jobs a run (or several) has in flight, and their outcomes, each task
 * recorded once. An outcome is recorded only for a job in flight, and its
 * task's number then leaves with all its attempts: the same completion
 * seen twice (its event, then the state check), or a completion of another
 * attempt of the same task (a job added again after a takeover), finds
 * nothing in flight and is ignored.
 *
 * A job that failed in BullMQ rather than in its task (its stalls ran out)
 * is an incident: recorded once, and kept in flight, since `adhesive retry`
 * puts it back for a worker and its completion is then recorded as usual.
 */
export class Completions {
  private readonly jobs = new Map<string, RemoteTaskJob>();
  /* per `<run>.<seq>`, the ids of its attempts in flight (nearly always one) */
  private readonly attempts = new Map<string, string[]>();
  private readonly record: (outcome: RemoteOutcome) => void;
  /* jobs in flight whose incident was recorded */
  private readonly incidents = new Set<string>();

  constructor(record: (outcome: RemoteOutcome) => void) {
    this.record = record;
  }

  get size(): number {
    return this.jobs.size;
  }

  ids(): string[] {
    return [...this.jobs.keys()];
  }

  job(id: string): RemoteTaskJob | undefined {
    return this.jobs.get(id);
  }

  track(id: string, job: RemoteTaskJob): void {
    this.jobs.set(id, job);
    const task = `${job.run}.${job.seq}`;
    const ids = this.attempts.get(task);
    if (ids === undefined) this.attempts.set(task, [id]);
    else if (!ids.includes(id)) ids.push(id);
  }

  /** Stops tracking task `seq` of run `run` (nobody waits for it now): the ids of its attempts in flight. */
  forget(run: string, seq: number): string[] {
    const task = `${run}.${seq}`;
    const ids = [...(this.attempts.get(task) ?? [])];
    for (const id of ids) {
      this.jobs.delete(id);
      this.incidents.delete(id);
    }
    this.attempts.delete(task);
    return ids;
  }

  /** Records how job `id` ended, if it is in flight; false when it was not (recorded before, or never tracked). */
  settle(id: string, end: JobEnd): boolean {
    const job = this.jobs.get(id);
    if (job === undefined) return false;
    // tracked under the id of its own attempt (task-queue.ts)
    const outcome = outcomeOf(job, job.attempt, end);
    if (outcome.kind === "incident") {
      if (this.incidents.has(id)) return false;
      this.incidents.add(id);
      this.record(outcome);
      return true;
    }
    const task = `${job.run}.${job.seq}`;
    for (const attempt of this.attempts.get(task) ?? []) {
      this.jobs.delete(attempt);
      this.incidents.delete(attempt);
    }
    this.attempts.delete(task);
    this.record(outcome);
    return true;
  }
}

function outcomeOf(job: RemoteTaskJob, attempt: number, end: JobEnd): RemoteOutcome {
  const { run, seq } = job;
  if (end.state === "completed") return { kind: "done", run, seq, attempt, changes: (end.returnvalue ?? {}) as RemoteChanges };
  const failure = failureOfReason(end.failedReason);
  if (failure !== undefined) return { kind: "failed", run, seq, attempt, failure };
  return { kind: "incident", run, seq, attempt, reason: end.failedReason };
}
