import { UsageError } from "../errors.js";
import type { RunState } from "../journal/records.js";
import type { Store } from "./connection.js";
import { fencedScript, runFenced } from "./fence.js";
import { RUNS_INDEX, runKeys } from "./keys.js";
import type { StoreLease, StoreOwner } from "./lease.js";
import type { Incident } from "./remote-tasks.js";

/*
 * The registry: one hash per run (state, owner, counts), and the index of
 * all runs, for `adhesive runs --store` and the live view of every host.
 * Written only by the run's owner, fenced like its journal: a former owner
 * cannot mark a run it lost as ended.
 *   KEYS epoch, lease, info, index
 *   ARGV epoch, run id, now, owner JSON, count of fields set, (field, value)..., (field, increment)...
 */
const UPDATE = fencedScript(`
local set = tonumber(ARGV[5])
local i = 6
for _ = 1, set do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]); i = i + 2 end
while i <= #ARGV do redis.call('HINCRBY', KEYS[3], ARGV[i], ARGV[i + 1]); i = i + 2 end
redis.call('HSET', KEYS[3], 'epoch', ARGV[1], 'owner', ARGV[4], 'updated', ARGV[3])
if redis.call('HSETNX', KEYS[3], 'registered', ARGV[3]) == 1 then redis.call('ZADD', KEYS[4], ARGV[3], ARGV[2]) end
return {1}
`);

/** The counts a registry entry keeps. */
export const REGISTRY_COUNTS = ["started", "done", "failed"] as const;
export type RegistryCount = (typeof REGISTRY_COUNTS)[number];

export interface RegistryEntry {
  runId: string;
  state: RunState | undefined;
  /** the process the run runs: its BPMN source and id */
  process: string | undefined;
  /** who owned the run at its last update, with which epoch */
  owner: StoreOwner | undefined;
  epoch: number;
  counts: Record<RegistryCount, number>;
  /** remote tasks whose jobs ran out of stalls, waiting for `adhesive retry` */
  incidents: Incident[];
  /** when it was registered and last updated (epoch ms) */
  registered: number;
  updated: number;
}

export interface RegistryChange {
  state?: RunState;
  process?: string;
  /** the incidents open now (replacing those before) */
  incidents?: readonly Incident[];
  /** added to the counts */
  add?: Partial<Record<RegistryCount, number>>;
}

/** Writes the run's registry entry as its owner (the first write registers the run); an OwnerLostError once another process owns it. */
export async function updateRegistry(lease: StoreLease, change: RegistryChange): Promise<void> {
  const set: string[] = [];
  if (change.state !== undefined) set.push("state", change.state);
  if (change.process !== undefined) set.push("process", change.process);
  if (change.incidents !== undefined) set.push("incidents", JSON.stringify(change.incidents));
  const add: Array<string | number> = [];
  for (const [count, by] of Object.entries(change.add ?? {})) if (by !== 0) add.push(count, by);
  await runFenced(lease, UPDATE, [lease.keys.info, RUNS_INDEX], [lease.runId, Date.now(), JSON.stringify(lease.owner), set.length / 2, ...set, ...add]);
}

/** The run's registry entry, or undefined when the store has no such run. */
export async function readRegistry(store: Store, runId: string): Promise<RegistryEntry | undefined> {
  const fields = await store.redis.hgetall(runKeys(runId).info);
  return entryOf(runId, fields);
}

/**
 * The id of the store's run with this id, or of the only one whose id
 * starts with it, as the file-journal commands take a run (runs/find.ts).
 * A prefix several runs share is refused with their ids: the store is
 * shared by every host, and a run picked by guess may be another's.
 */
export async function findStoreRun(store: Store, idOrPrefix: string): Promise<string> {
  const ids = await store.redis.zrange(RUNS_INDEX, 0, -1);
  if (ids.includes(idOrPrefix)) return idOrPrefix;
  const matching = ids.filter((id) => id.startsWith(idOrPrefix));
  if (matching.length === 1) return matching[0];
  // a run whose registration never went in still has its journal
  if (matching.length === 0 && (await store.redis.exists(runKeys(idOrPrefix).journal)) === 1) return idOrPrefix;
  if (matching.length === 0) throw new UsageError(`run ${idOrPrefix}: the store ${store.address.shown} has no such run (adhesive runs --store lists its runs)`);
  throw new UsageError(`${matching.length} runs of the store ${store.address.shown} start with "${idOrPrefix}": ${matching.sort().join(", ")}; give more of the id`);
}

/** Every run of the store, oldest first. */
export async function listStoreRuns(store: Store): Promise<RegistryEntry[]> {
  const ids = await store.redis.zrange(RUNS_INDEX, 0, -1);
  const pipeline = store.redis.pipeline();
  for (const id of ids) pipeline.hgetall(runKeys(id).info);
  const replies = (await pipeline.exec()) ?? [];
  const entries: RegistryEntry[] = [];
  ids.forEach((id, i) => {
    const entry = entryOf(id, (replies[i]?.[1] ?? {}) as Record<string, string>);
    if (entry !== undefined) entries.push(entry);
  });
  return entries;
}

function entryOf(runId: string, fields: Record<string, string>): RegistryEntry | undefined {
  if (fields.registered === undefined) return undefined;
  const counts = Object.fromEntries(REGISTRY_COUNTS.map((count) => [count, Number(fields[count] ?? 0)])) as Record<RegistryCount, number>;
  let owner: StoreOwner | undefined;
  try {
    owner = fields.owner === undefined ? undefined : (JSON.parse(fields.owner) as StoreOwner);
  } catch {
    owner = undefined;
  }
  return {
    runId,
    state: fields.state as RunState | undefined,
    process: fields.process,
    owner,
    epoch: Number(fields.epoch ?? 0),
    counts,
    incidents: parsedList<Incident>(fields.incidents),
    registered: Number(fields.registered),
    updated: Number(fields.updated ?? fields.registered),
  };
}

function parsedList<T>(json: string | undefined): T[] {
  if (json === undefined) return [];
  try {
    const value = JSON.parse(json) as unknown;
    return Array.isArray(value) ? (value as T[]) : [];
  } catch {
    return [];
  }
}
