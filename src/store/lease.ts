import { hostname } from "node:os";
import { processIdentity } from "../journal/process-identity.js";
import { OwnerLostError, type OwnerRecord, type RunLease } from "../runs/owner/lease.js";
import type { Store } from "./connection.js";
import { runKeys, type RunKeys } from "./keys.js";
import { StoreScript } from "./script.js";

/** Who holds a run of the store: a process of some host. */
export interface StoreOwner extends OwnerRecord {
  host: string;
}

/*
 * The claim: SET NX PX on the lease (one holder at a time, for the lease's
 * time), then INCR of the epoch, the fencing number every write of the run
 * is checked against (fence.ts). The owner record outlives the lease, so a
 * takeover knows whom it took the run from (a lease that expired without
 * being released: its holder died or stopped answering). A claim that
 * fails says how long the holder's lease has left, so a standby tries
 * again right when it runs out.
 *   KEYS lease, epoch, owner   ARGV lease ms, owner JSON
 */
const CLAIM = new StoreScript(`
if not redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[1]) then
  return {0, redis.call('GET', KEYS[1]) or '', redis.call('PTTL', KEYS[1])}
end
local epoch = redis.call('INCR', KEYS[2])
local previous = redis.call('HMGET', KEYS[3], 'who', 'released')
redis.call('HSET', KEYS[3], 'who', ARGV[2], 'epoch', epoch, 'released', '0')
if previous[1] and previous[2] == '0' then return {epoch, previous[1]} end
return {epoch, ''}
`);

/*
 * Renewal while the epoch is still this holder's. The lease may have expired
 * meanwhile (a pause, Redis restarting): as long as nobody claimed the run
 * since, the epoch is unchanged and nobody else wrote, so it is taken again.
 *   KEYS lease, epoch   ARGV epoch, lease ms, owner JSON
 */
const RENEW = new StoreScript(`
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
return 1
`);

/*
 * A standby claims a run the moment its lease runs out, then hands the
 * claim to the process it starts to continue the run, which takes a while
 * to start (adhesive serve). That process takes the lease over while the
 * epoch is still the standby's claim: the epoch moves on, so the standby's
 * next renewal finds it is no longer the holder and stops.
 *   KEYS lease, epoch, owner   ARGV the claim's epoch, lease ms, owner JSON
 */
const HAND_OVER = new StoreScript(`
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
local epoch = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[3], 'who', ARGV[3], 'epoch', epoch, 'released', '0')
return epoch
`);

/*   KEYS lease, epoch, owner   ARGV epoch */
const RELEASE = new StoreScript(`
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[3], 'released', '1')
return 1
`);

/**
 * Claims a run of the store for this process, for `leaseMs` at a time: a
 * StoreLease, or who holds the run while their lease lasts. Unlike a run
 * folder's lease (src/runs/owner/file-lease.ts), a holder on another host
 * cannot be asked whether it lives: a run is taken over only once its
 * holder has not renewed the lease for `leaseMs`.
 */
export async function claimStoreRun(store: Store, runId: string, leaseMs: number): Promise<StoreLease | StoreHeld> {
  const keys = runKeys(runId);
  const me = thisOwner();
  const who = JSON.stringify(me);
  const [epoch, other, left] = (await CLAIM.run(store.redis, [keys.lease, keys.epoch, keys.owner], [leaseMs, who])) as [number, string, number];
  if (epoch === 0) return { heldBy: ownerOf(other), leftMs: left };
  return new StoreLease(store, runId, keys, epoch, ownerOf(other), leaseMs, me);
}

/* this process, as a lease's owner record names it */
function thisOwner(): StoreOwner {
  return { host: hostname(), ...processIdentity(), at: Date.now() };
}

/** A run another process holds: who, and how long its lease has left (negative: none, it ran out just now). */
export interface StoreHeld {
  heldBy: StoreOwner | undefined;
  leftMs: number;
}

/** A standby's claim of a run, handed to the process that continues the run (HAND_OVER). */
export interface StoreHandover {
  runId: string;
  epoch: number;
  /** whom the standby took the run from */
  takenFrom: StoreOwner | undefined;
}

/**
 * Takes over a standby's claim of a run: a StoreLease of this process,
 * or undefined when the claim is no longer the last one (the standby
 * stopped and another process claimed the run since).
 */
export async function takeHandover(store: Store, handover: StoreHandover, leaseMs: number): Promise<StoreLease | undefined> {
  const keys = runKeys(handover.runId);
  const me = thisOwner();
  const epoch = (await HAND_OVER.run(store.redis, [keys.lease, keys.epoch, keys.owner], [handover.epoch, leaseMs, JSON.stringify(me)])) as number;
  return epoch === 0 ? undefined : new StoreLease(store, handover.runId, keys, epoch, handover.takenFrom, leaseMs, me);
}

/**
 * This process's lease of a run of the store (see RunLease). holds() is
 * false once the store said another process claimed the run: a renewal or
 * a fenced write found a later epoch. Until then it is true, even while
 * the store cannot be reached: what keeps a paused or cut-off holder from
 * doing harm is not its own belief but the epoch every one of its writes is
 * checked against, in the same script (fence.ts).
 */
export class StoreLease implements RunLease {
  readonly epoch: number;
  readonly takenFrom: StoreOwner | undefined;
  readonly runId: string;
  readonly keys: RunKeys;
  readonly store: Store;
  readonly leaseMs: number;
  /** this process, as the lease names it */
  readonly owner: StoreOwner;
  private readonly who: string;
  private lost = false;
  private takenBy: StoreOwner | undefined;
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;

  constructor(store: Store, runId: string, keys: RunKeys, epoch: number, takenFrom: StoreOwner | undefined, leaseMs: number, owner: StoreOwner) {
    this.store = store;
    this.runId = runId;
    this.keys = keys;
    this.epoch = epoch;
    this.takenFrom = takenFrom;
    this.leaseMs = leaseMs;
    this.owner = owner;
    this.who = JSON.stringify(owner);
  }

  holds(): boolean {
    return !this.lost;
  }

  lostError(): OwnerLostError {
    return new OwnerLostError(this.runId, this.epoch, this.takenBy, this.leaseMs);
  }

  /** A write or renewal found a later epoch: remembers who holds the run now, for the error. */
  fencedOut(holder: string | undefined): OwnerLostError {
    this.lost = true;
    this.stop();
    this.takenBy = holder ? ownerOf(holder) : undefined;
    return this.lostError();
  }

  keep(lost: (error: OwnerLostError) => void): void {
    this.timer = setInterval(() => void this.renew(lost), Math.max(50, Math.floor(this.leaseMs / 3)));
    this.timer.unref();
  }

  /** Renews the lease once: false when another process holds the run now. */
  async renewOnce(): Promise<boolean> {
    if (this.lost) return false;
    const renewed = await RENEW.run(this.store.redis, [this.keys.lease, this.keys.epoch], [this.epoch, this.leaseMs, this.who]);
    if (renewed === 1) return true;
    this.fencedOut((await this.store.redis.get(this.keys.lease)) ?? undefined);
    return false;
  }

  /** Ends the lease: the next claim succeeds at once (nothing happens when the run was lost already). */
  async release(): Promise<void> {
    this.stop();
    if (this.lost) return;
    await RELEASE.run(this.store.redis, [this.keys.lease, this.keys.epoch, this.keys.owner], [this.epoch]);
  }

  private async renew(lost: (error: OwnerLostError) => void): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      if (!(await this.renewOnce())) lost(this.lostError());
    } catch {
      // the store is unreachable for now: the next tick tries again, and the fence guards the writes meanwhile
    } finally {
      this.renewing = false;
    }
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

function ownerOf(json: string): StoreOwner | undefined {
  if (json === "") return undefined;
  try {
    const owner = JSON.parse(json) as StoreOwner;
    return typeof owner.pid === "number" ? owner : undefined;
  } catch {
    return undefined;
  }
}
