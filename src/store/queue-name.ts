import { createHash } from "node:crypto";
import type { JournalHeader } from "../journal/records.js";

/**
 * One BullMQ queue per pool and process version. The version is a hash of
 * the process definition and of the hash of every element's function, the
 * hashes the journal's header already holds (src/runtime/run-record.ts): a
 * worker that imported another version of the process file computes another
 * name, so during a rolling deploy old and new workers each drain the jobs
 * of their own version, and a job never runs a function it was not
 * journaled with.
 */
export function processVersion(hashes: JournalHeader["hashes"]): string {
  const implementations = Object.keys(hashes.implementations)
    .sort()
    .map((id) => `${id} ${hashes.implementations[id]}`);
  // 64 bits of the hash tell versions apart and keep queue names short
  return createHash("sha256").update([hashes.definition, ...implementations].join("\n")).digest("hex").slice(0, 16);
}

/* a pool name is part of a Redis key: BullMQ refuses ":" in queue names, and a dot separates the parts here */
const POOL = /^[A-Za-z0-9_-]+$/;

export function isPoolName(pool: string): boolean {
  return POOL.test(pool);
}

export function queueName(pool: string, version: string): string {
  if (!isPoolName(pool)) throw new Error(`pool "${pool}": a pool name may only hold letters, digits, - and _`);
  return `adhesive.${pool}.${version}`;
}

/**
 * The queue of one worker's lane instances (Temporal's sticky queues): the
 * tasks of a lane instance after its first go to the worker that opened it,
 * whose workspace they share. Only that worker takes its jobs.
 */
export function stickyQueueName(pool: string, version: string, workerId: string): string {
  if (!isPoolName(workerId)) throw new Error(`worker id "${workerId}": may only hold letters, digits, - and _`);
  return `${queueName(pool, version)}.w.${workerId}`;
}
