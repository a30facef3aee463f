import type { Redis } from "ioredis";
import type { JobEnd } from "./completions.js";
import { returnValue } from "./job-states.js";

/* entries per read: a backlog after a pause is taken in bites, each parsed before the next is asked for */
const COUNT = 1000;
/* how long one blocking read waits for new entries before it asks again (BullMQ's QueueEvents: 10 s) */
const BLOCK_MS = 10_000;
/* a failed read (the connection lost, Redis restarting) is tried again after this */
const RETRY_MS = 100;

export interface QueueEndsListener {
  ended(id: string, end: JobEnd): void;
  progress?(id: string, progress: unknown): void;
}

/**
 * The ends of a queue's jobs, read from BullMQ's events stream (the one
 * QueueEvents reads, `<prefix>:<queue>:events`) with a blocking XREAD of
 * its own connection, from its last entry when it started.
 *
 * BullMQ writes four entries per job (added, waiting, active, completed);
 * only `completed`, `failed` and `progress` (when listened for) are read
 * beyond their event field, and nothing is emitted: QueueEvents built an
 * object, a copy without its event field and two emits per entry, which was
 * most of the orchestrator's cost per task after the adds. What the stream
 * misses (it is trimmed to about 10,000 entries; nothing is read while
 * Redis is down) the state checks find (task-queue.ts).
 */
export class QueueEnds {
  private readonly redis: Redis;
  private readonly key: string;
  private readonly listener: QueueEndsListener;
  private closed = false;
  private reading: Promise<void> | undefined;

  private constructor(redis: Redis, key: string, listener: QueueEndsListener) {
    this.redis = redis;
    this.key = key;
    this.listener = listener;
  }

  /** Starts reading after the stream's last entry now: resolves once that is known, so any job added later is heard. */
  static async open(shared: Redis, key: string, listener: QueueEndsListener): Promise<QueueEnds> {
    // blocking reads hold their connection: never the shared one
    const redis = shared.duplicate();
    redis.on("error", () => undefined);
    const ends = new QueueEnds(redis, key, listener);
    try {
      const last = (await redis.xrevrange(key, "+", "-", "COUNT", 1))[0];
      ends.reading = ends.read(last?.[0] ?? "0-0");
    } catch (error) {
      redis.disconnect();
      throw error;
    }
    return ends;
  }

  async close(): Promise<void> {
    this.closed = true;
    // interrupts the blocking read
    this.redis.disconnect();
    await this.reading;
  }

  private async read(from: string): Promise<void> {
    let cursor = from;
    const progress = this.listener.progress !== undefined;
    while (!this.closed) {
      let reply: Array<[string, Array<[string, string[]]>]> | null;
      try {
        reply = (await this.redis.xread("COUNT", COUNT, "BLOCK", BLOCK_MS, "STREAMS", this.key, cursor)) as typeof reply;
      } catch {
        if (!this.closed) await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      if (reply === null) continue;
      const entries = reply[0][1];
      for (let i = 0; i < entries.length; i++) {
        // BullMQ's entries begin with the event's name, then jobId: "event", name, "jobId", id, ...
        const fields = entries[i][1];
        const event = fields[1];
        if (event === "completed") this.listener.ended(fields[3], { state: "completed", returnvalue: returnValue(valueOf(fields, "returnvalue")) });
        else if (event === "failed") this.listener.ended(fields[3], { state: "failed", failedReason: valueOf(fields, "failedReason") ?? "" });
        else if (event === "progress" && progress) this.listener.progress!(fields[3], returnValue(valueOf(fields, "data")));
      }
      if (entries.length > 0) cursor = entries[entries.length - 1][0];
    }
  }
}

function valueOf(fields: readonly string[], name: string): string | undefined {
  for (let i = 2; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
