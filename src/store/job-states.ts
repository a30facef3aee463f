import type { Redis } from "ioredis";
import type { JobEnd } from "./completions.js";
import { StoreScript } from "./script.js";

/** How a job in flight stands, as one batched look at BullMQ's keys tells it. */
export type JobLook = JobEnd | { state: "waiting" } | { state: "active" } | { state: "unknown" };

/* at most this many jobs per script call: a long Lua call would hold up every other client of the server */
const BATCH = 500;

/*
 * KEYS: the queue's completed, failed and active keys; ARGV: the prefix of
 * its job hashes, then job ids. Per id, two replies: a state letter (u:
 * no job, c: completed, f: failed, a: running, w: waiting for a worker) and
 * its return value or failure. Finished means in the completed or failed
 * set, as BullMQ's getState says, never a field of the hash alone; a job
 * neither finished nor running waits (in wait, paused, prioritized or
 * delayed: a stalled job back in wait counts as waiting again).
 */
const LOOK = new StoreScript(`
local out = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  local key = ARGV[1] .. id
  if redis.call("EXISTS", key) == 0 then
    out[#out + 1] = "u"; out[#out + 1] = ""
  elseif redis.call("ZSCORE", KEYS[1], id) then
    out[#out + 1] = "c"; out[#out + 1] = redis.call("HGET", key, "returnvalue") or ""
  elseif redis.call("ZSCORE", KEYS[2], id) then
    out[#out + 1] = "f"; out[#out + 1] = redis.call("HGET", key, "failedReason") or ""
  elseif redis.call("LPOS", KEYS[3], id) then
    out[#out + 1] = "a"; out[#out + 1] = ""
  else
    out[#out + 1] = "w"; out[#out + 1] = ""
  end
end
return out
`);

/** The queue's keys the look reads (BullMQ's Queue.toKey). */
export interface QueueKeys {
  toKey(type: string): string;
}

/**
 * How each of `ids` stands, in one script call per BATCH ids: what
 * asking each job its state, then reading a finished one, told with two
 * round trips and a Job per id.
 */
export async function lookAtJobs(redis: Redis, queue: QueueKeys, ids: readonly string[]): Promise<Map<string, JobLook>> {
  const keys = [queue.toKey("completed"), queue.toKey("failed"), queue.toKey("active")];
  const prefix = queue.toKey("");
  const looks = new Map<string, JobLook>();
  for (let from = 0; from < ids.length; from += BATCH) {
    const batch = ids.slice(from, from + BATCH);
    const replies = (await LOOK.run(redis, keys, [prefix, ...batch])) as string[];
    for (let i = 0; i < batch.length; i++) looks.set(batch[i], lookOf(replies[2 * i], replies[2 * i + 1]));
  }
  return looks;
}

function lookOf(letter: string, value: string): JobLook {
  if (letter === "c") return { state: "completed", returnvalue: returnValue(value) };
  if (letter === "f") return { state: "failed", failedReason: value };
  if (letter === "a") return { state: "active" };
  if (letter === "w") return { state: "waiting" };
  return { state: "unknown" };
}

/** As BullMQ's Job reads a return value back (and QueueEvents a progress): JSON, nothing when it is not. */
export function returnValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
