/*
 * Stopping the job of a remote task the orchestrator no longer waits for
 * (its boundary timer fired, its run was cancelled, an event sub-process
 * interrupted it), so it does not go on holding a worker's slot, running
 * its commands, for nobody.
 *
 * A job still waiting for a worker is removed from its queue. One a worker
 * runs is aborted by that worker: BullMQ's `Worker.cancelJob` fires the
 * AbortSignal it gave the job (the task's ctx.signal, which kills the
 * commands the task started), and only the process running it can call it,
 * so the request goes out on a Redis channel every worker process listens
 * to. This is the pattern BullMQ's docs give for cancelling jobs on other
 * workers; their Relay does the same over per-node inbox streams, but is
 * marked experimental in BullMQ 6. A request is heard only by the workers
 * connected when it goes out: a job whose worker was cut off then runs to
 * its end, unrecorded, which is what every job of a task nobody waited for
 * did before; stopping it is a saving, not a guarantee.
 */
import type { Redis } from "ioredis";
import type { Worker } from "bullmq";
import type { JobLook } from "./job-states.js";
import { KEY_PREFIX } from "./keys.js";

/** The channel cancel requests go out on. */
export const CANCEL_CHANNEL = `${KEY_PREFIX}:cancel`;

/* how long a worker remembers a request for a job it does not run (yet) */
const REMEMBER_MS = 10 * 60_000;

interface CancelRequest {
  queue: string;
  id: string;
  reason: string;
}

/**
 * Cancels job `id` of queue `queue`, which stands as `look` says (the
 * queue's batched look, job-states.ts): removes it when it waits, asks the
 * workers to abort it when one holds it (BullMQ refuses to remove a locked
 * job). A job that already ended is left alone, with its result (BullMQ's
 * remove would delete it too, and with it what makes a second add of its
 * id add nothing). `remove` is BullMQ's, needed only for a waiting job.
 */
export async function cancelJob(redis: Redis, queue: string, id: string, look: JobLook, remove: () => Promise<number>, reason: string): Promise<void> {
  if (look.state === "completed" || look.state === "failed" || look.state === "unknown") return;
  if (look.state === "waiting" && (await remove()) === 1) return;
  const request: CancelRequest = { queue, id, reason };
  await redis.publish(CANCEL_CHANNEL, JSON.stringify(request));
}

/**
 * A worker process's ear for cancel requests: each one aborts the job on
 * whichever of its BullMQ workers runs it, and is remembered for a while,
 * since it may arrive between the job's move to active and the start of
 * its processor (the job is locked, so it was not removed, but BullMQ
 * tracks it only from then on): `cancelled(id)` tells the processor.
 */
export class CancelListener {
  private readonly subscriber: Redis;
  private readonly workers: readonly Worker[];
  /* job id -> reason, in the order they came, with when */
  private readonly recent = new Map<string, { reason: string; at: number }>();

  private constructor(subscriber: Redis, workers: readonly Worker[]) {
    this.subscriber = subscriber;
    this.workers = workers;
  }

  /** Listens on `redis`'s server (a connection of its own: a subscribed one takes no other commands) for the jobs of `workers`, which may grow. */
  static async start(redis: Redis, workers: readonly Worker[]): Promise<CancelListener> {
    const subscriber = redis.duplicate();
    // a lost connection is retried by ioredis, which subscribes again
    subscriber.on("error", () => undefined);
    const listener = new CancelListener(subscriber, workers);
    subscriber.on("message", (_channel: string, text: string) => listener.heard(text));
    await subscriber.subscribe(CANCEL_CHANNEL);
    return listener;
  }

  /** Why job `id` was cancelled, if a request for it came. */
  cancelled(id: string | undefined): string | undefined {
    return id === undefined ? undefined : this.recent.get(id)?.reason;
  }

  stop(): void {
    this.subscriber.disconnect();
  }

  private heard(text: string): void {
    let request: CancelRequest;
    try {
      request = JSON.parse(text) as CancelRequest;
    } catch {
      return;
    }
    if (typeof request.id !== "string" || typeof request.queue !== "string") return;
    const now = Date.now();
    for (const [id, { at }] of this.recent) {
      if (now - at < REMEMBER_MS) break;
      this.recent.delete(id);
    }
    this.recent.set(request.id, { reason: String(request.reason), at: now });
    for (const worker of this.workers) if (worker.name === request.queue) worker.cancelJob(request.id, request.reason);
  }
}
