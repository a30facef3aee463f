import type { Redis } from "ioredis";
import type { JobEnd } from "./completions.js";
import { returnValue } from "./job-states.js";
import { StoreScript } from "./script.js";

/* entries looked at per script call: a backlog after a pause is taken in bites, so no call holds the server up for long */
const COUNT = 1000;
/* how long one blocking read waits for a new entry (BullMQ's QueueEvents: 10 s) */
const BLOCK_MS = 10_000;
/* a read that has not come back this long after its block ran out is given up, with its connection (as BullMQ's QueueEvents does) */
const WATCHDOG_MS = BLOCK_MS + 1000;
/* a failed read (the connection lost, Redis restarting) is tried again after this */
const RETRY_MS = 100;

/*
 * KEYS: the queue's events stream; ARGV: the last entry read (or 0-0), how
 * many entries to look at after it, whether progress entries are wanted.
 * Returns the last entry looked at, how many were, then per entry wanted
 * its event, job id and value (returnvalue, failedReason or progress
 * data). Fields are found by name, not by place.
 */
const ENDS = new StoreScript(`
local entries = redis.call('XRANGE', KEYS[1], ARGV[1], '+', 'COUNT', tonumber(ARGV[2]) + 1)
local out = {ARGV[1], 0}
for i = 1, #entries do
  local entry = entries[i]
  if entry[1] ~= ARGV[1] then
    out[1] = entry[1]
    out[2] = out[2] + 1
    local fields = entry[2]
    local event, job, value = nil, nil, ''
    for j = 1, #fields, 2 do
      local name = fields[j]
      if name == 'event' then event = fields[j + 1]
      elseif name == 'jobId' then job = fields[j + 1]
      elseif name == 'returnvalue' or name == 'failedReason' or name == 'data' then value = fields[j + 1] end
    end
    if job and (event == 'completed' or event == 'failed' or (event == 'progress' and ARGV[3] == '1')) then
      out[#out + 1] = event; out[#out + 1] = job; out[#out + 1] = value
    end
  end
end
return out
`);

export interface QueueEndsListener {
  ended(id: string, end: JobEnd): void;
  progress?(id: string, progress: unknown): void;
}

/**
 * The ends of a queue's jobs, read from BullMQ's events stream (the one
 * QueueEvents reads, `<prefix>:<queue>:events`) from its last entry when
 * the reader opened.
 *
 * BullMQ writes four entries per job (added, waiting, active, completed).
 * QueueEvents had them all sent, decoded, made into objects and emitted
 * twice each; here a script looks at them in Redis and sends only the
 * completed, failed and (when listened for) progress ones, three strings
 * each. A blocking XREAD of one entry, on a connection of the reader's own,
 * waits for the stream to grow when the script found nothing new. What
 * the stream misses (it is trimmed to about 10,000 entries; nothing is read
 * while Redis is down) the state checks find (task-queue.ts).
 */
export class QueueEnds {
  private readonly shared: Redis;
  private redis: Redis;
  private readonly key: string;
  private readonly listener: QueueEndsListener;
  private cursor: string;
  private closed = false;
  private reading: Promise<void> | undefined;

  private constructor(shared: Redis, key: string, listener: QueueEndsListener, cursor: string) {
    this.shared = shared;
    this.redis = connectionOf(shared);
    this.key = key;
    this.listener = listener;
    this.cursor = cursor;
  }

  /** Starts reading after the stream's last entry now: resolves once that is known, so the end of any job added later is heard. */
  static async open(shared: Redis, key: string, listener: QueueEndsListener): Promise<QueueEnds> {
    const last = (await shared.xrevrange(key, "+", "-", "COUNT", 1))[0];
    const ends = new QueueEnds(shared, key, listener, last?.[0] ?? "0-0");
    ends.reading = ends.read();
    return ends;
  }

  async close(): Promise<void> {
    this.closed = true;
    // interrupts the blocking read
    this.redis.disconnect();
    await this.reading;
  }

  private async read(): Promise<void> {
    const progress = this.listener.progress === undefined ? "0" : "1";
    while (!this.closed) {
      try {
        const reply = (await ENDS.run(this.redis, [this.key], [this.cursor, COUNT, progress])) as unknown[];
        this.cursor = reply[0] as string;
        for (let i = 2; i < reply.length; i += 3) this.heard(reply[i] as string, reply[i + 1] as string, reply[i + 2] as string);
        // a full bite: more may be there already
        if ((reply[1] as number) < COUNT) await this.waitForMore();
      } catch {
        if (!this.closed) await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  private heard(event: string, id: string, value: string): void {
    if (event === "completed") this.listener.ended(id, { state: "completed", returnvalue: returnValue(value) });
    else if (event === "failed") this.listener.ended(id, { state: "failed", failedReason: value });
    else this.listener.progress?.(id, returnValue(value));
  }

  /* until the stream has an entry after the cursor (at once when it has one already); what it is, the next script call says */
  private async waitForMore(): Promise<void> {
    let watchdog: NodeJS.Timeout | undefined;
    const stuck = new Promise<"stuck">((resolve) => (watchdog = setTimeout(() => resolve("stuck"), WATCHDOG_MS)));
    const read = this.redis.xread("COUNT", 1, "BLOCK", BLOCK_MS, "STREAMS", this.key, this.cursor);
    // abandoned when stuck: its failure then says nothing
    read.catch(() => undefined);
    try {
      if ((await Promise.race([read, stuck])) !== "stuck" || this.closed) return;
    } finally {
      clearTimeout(watchdog);
    }
    // a connection whose blocking read never came back (one re-sent after a reconnect may hang): a new one
    this.redis.disconnect();
    this.redis = connectionOf(this.shared);
  }
}

/* blocking reads hold their connection: never the shared one */
function connectionOf(shared: Redis): Redis {
  const redis = shared.duplicate();
  // ioredis reports connection errors as events too: without a listener they go to stderr; the reads retry
  redis.on("error", () => undefined);
  return redis;
}
