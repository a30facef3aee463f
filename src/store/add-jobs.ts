import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { StoreScript } from "./script.js";

/*
 * The trade: Queue.addBulk cost the orchestrator about a third of its CPU
 * per remote task (a Job object, its JSON, its options re-encoded and
 * msgpacked, and one EVALSHA of 12 arguments per job, each an ioredis
 * Command). Here the jobs of one turn go in one script call that runs
 * BullMQ's own addStandardJob Lua once per job, with the arguments it would
 * have been given: the job hash, the wait list, the marker, the events and
 * dedup by id are BullMQ's code, not a copy of it. That ties adhesive to the
 * text of that script: it is used only when it is the one pinned here
 * (BullMQ 6.7.6); any other text falls back to Queue.addBulk, and
 * test/store/add-jobs.test.ts fails, so an upgrade looks at this again.
 */
export const PINNED_ADD_STANDARD_JOB_SHA1 = "5ab432e88830d573e2fa33392ffbd4ad25a9b100";

/* at most this many jobs per script call: a long Lua call would hold up every other client of the server */
const BATCH = 200;

/** What the jobs of one queue are added with: BullMQ's job options as Queue.add takes them, the same for every job. */
export interface AddOptions {
  attempts: number;
  removeOnComplete: { age: number };
  removeOnFail: { age: number };
}

/** The queue's keys the script writes (BullMQ's Queue.toKey). */
export interface QueueKeys {
  toKey(type: string): string;
}

/**
 * The jobs' adder for a queue, or undefined when the installed BullMQ's
 * addStandardJob is not the pinned one (then Queue.addBulk adds them).
 */
export async function jobAdder(): Promise<JobAdder | undefined> {
  let addStandardJob: { content: string; keys: number };
  try {
    ({ addStandardJob } = (await import("bullmq/dist/esm/scripts/addStandardJob-9.js")) as { addStandardJob: { content: string; keys: number } });
  } catch {
    // another BullMQ's layout (the file moved, or its exports hide it): Queue.addBulk it is
    return undefined;
  }
  if (addStandardJobSha1(addStandardJob.content) !== PINNED_ADD_STANDARD_JOB_SHA1 || addStandardJob.keys !== 9) return undefined;
  return new JobAdder(addStandardJob.content);
}

export function addStandardJobSha1(content: string): string {
  return createHash("sha1").update(content).digest("hex");
}

/*
 * ARGV: the options as JSON (jobId set per job), the prefix of the job
 * hashes, then per job its id, name, timestamp and data as JSON. Each job
 * gets addStandardJob's ARGV as Job.asJSON and the Redis backend build it:
 * msgpack of [prefix, id, name, timestamp, and no parent, repeat or
 * deduplication], the data, msgpack of the options (cjson reads numbers as
 * doubles; cmsgpack packs whole ones as integers, as msgpackr does). Per
 * job one reply: its id (or BullMQ's negative error code).
 */
function wrapped(content: string): string {
  return `local function addStandardJob(KEYS, ARGV)
${content}
end
local opts = cjson.decode(ARGV[1])
local out = {}
for i = 3, #ARGV, 4 do
  opts["jobId"] = ARGV[i]
  out[#out + 1] = addStandardJob(KEYS, {cmsgpack.pack({ARGV[2], ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])}), ARGV[i + 3], cmsgpack.pack(opts)})
end
return out
`;
}

export class JobAdder {
  private readonly script: StoreScript;

  constructor(content: string) {
    this.script = new StoreScript(wrapped(content));
  }

  /** Adds each job that BullMQ has no job of that id of (as Queue.addBulk does); rejects on BullMQ's error code. */
  async add(redis: Redis, queue: QueueKeys, options: AddOptions, jobs: ReadonlyArray<{ id: string; name: string; data: unknown }>): Promise<void> {
    const keys = ["wait", "paused", "meta", "id", "completed", "delayed", "active", "events", "marker"].map((type) => queue.toKey(type));
    const opts = JSON.stringify(options);
    const prefix = queue.toKey("");
    const calls: Array<Promise<unknown>> = [];
    for (let from = 0; from < jobs.length; from += BATCH) {
      const args: string[] = [opts, prefix];
      const timestamp = String(Date.now());
      for (let i = from; i < Math.min(jobs.length, from + BATCH); i++) args.push(jobs[i].id, jobs[i].name, timestamp, JSON.stringify(jobs[i].data));
      calls.push(this.script.run(redis, keys, args));
    }
    for (const replies of (await Promise.all(calls)) as unknown[][]) {
      const failed = replies.find((reply) => typeof reply === "number" && reply < 0);
      if (failed !== undefined) throw new Error(`BullMQ's addStandardJob refused a job with code ${String(failed)}`);
    }
  }
}
