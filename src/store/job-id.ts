/**
 * A remote task's job id: `<run>.<seq>.<attempt>`, the run id and the
 * task's number and attempt from its start record. The start record is
 * written before the job is added, so whoever replays the journal knows the
 * id of every job the run may have added, and asks for it rather than adding
 * another: BullMQ adds nothing for an id it has (as long as the job is kept,
 * which is why jobs are never removed on completion). Run ids hold no dots
 * (src/runs/places.ts), so the id reads back unambiguously.
 */
export interface JobKey {
  run: string;
  seq: number;
  attempt: number;
}

export function jobId(run: string, seq: number, attempt: number): string {
  return `${run}.${seq}.${attempt}`;
}

export function parseJobId(id: string): JobKey | undefined {
  const match = /^([A-Za-z0-9_-]+)\.(\d+)\.(\d+)$/.exec(id);
  if (match === null) return undefined;
  return { run: match[1], seq: Number(match[2]), attempt: Number(match[3]) };
}
