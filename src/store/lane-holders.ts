import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Store } from "./connection.js";
import { KEY_PREFIX } from "./keys.js";

/*
 * Which worker holds which lane instance of a run (docs/scale-out.md,
 * "Workspaces across hosts"): a hash per run, one field per open lane
 * instance (`<lane>#<seq of its first task>`), the holder's worker id as
 * value. A worker claims an instance with HSETNX when it takes the
 * instance's first task and removes the field once the lane's function has
 * torn down; a standby that takes the run over reads the hash to send the
 * instance's next tasks where its workspace is. Not in the journal: the
 * engine knows nothing of hosts, and a claim is the worker's fact, written
 * by the worker.
 */
export function laneHoldersKey(runId: string): string {
  return `${KEY_PREFIX}:run:{${runId}}:lanes`;
}

/* a worker is alive while this key is: it renews it every third of its time */
function aliveKey(workerId: string): string {
  return `${KEY_PREFIX}:worker:${workerId}:alive`;
}

/** A worker's id, part of its sticky queues' names: host, pid and a random part (a restarted worker is another worker). */
export function newWorkerId(): string {
  const host = hostname().replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 40);
  return `${host}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

/** Claims the lane instance for `workerId`, unless another worker did: the holder's id either way. */
export async function claimLane(store: Store, runId: string, instance: string, workerId: string, keepS: number): Promise<string> {
  const key = laneHoldersKey(runId);
  const [[, set], [, holder]] = (await store.redis.multi().hsetnx(key, instance, workerId).hget(key, instance).expire(key, keepS).exec()) as [[unknown, number], [unknown, string]];
  return set === 1 ? workerId : holder;
}

export async function laneHolder(store: Store, runId: string, instance: string): Promise<string | undefined> {
  return (await store.redis.hget(laneHoldersKey(runId), instance)) ?? undefined;
}

/** The run's lane instances held by workers now, by instance. */
export async function laneHolders(store: Store, runId: string): Promise<Record<string, string>> {
  return store.redis.hgetall(laneHoldersKey(runId));
}

export async function releaseLane(store: Store, runId: string, instance: string): Promise<void> {
  await store.redis.hdel(laneHoldersKey(runId), instance);
}

export async function workerAlive(store: Store, workerId: string): Promise<boolean> {
  return (await store.redis.exists(aliveKey(workerId))) === 1;
}

/**
 * Keeps the worker's alive key while it runs: set for `ttlMs`, renewed
 * every third of it. A worker killed with kill -9, hung or cut off longer
 * than that is lost, and so are the lane instances it held. stop() removes
 * the key: a worker that stopped holds nothing.
 */
export async function keepAlive(store: Store, workerId: string, ttlMs: number): Promise<{ stop(): Promise<void> }> {
  const key = aliveKey(workerId);
  await store.redis.set(key, "1", "PX", ttlMs);
  const timer = setInterval(() => void store.redis.set(key, "1", "PX", ttlMs).catch(() => undefined), Math.max(50, Math.floor(ttlMs / 3)));
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await store.redis.del(key).catch(() => undefined);
    },
  };
}
