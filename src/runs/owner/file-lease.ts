import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isAlive, processIdentity } from "../../journal/process-identity.js";
import { OWNERS_FOLDER } from "../files.js";
import { OwnerLostError, type OwnerRecord, type RunLease } from "./lease.js";

/** How long a lease lasts without being renewed (renewed three times as often). */
export const DEFAULT_OWNER_LEASE_MS = 10_000;

const OWNER_FILE = "owner.json";
const RELEASED_FILE = "released";

/**
 * Leases kept in the run's folder: `owners/<epoch>/` per claim, holding
 * `owner.json` (pid and start time of the claiming process), renewed by
 * touching the folder's modification time, marked `released` at the end.
 *
 * Written here rather than taken from proper-lockfile: that library breaks
 * a stale lock by removing it and making it again, which two processes
 * breaking it at once can both believe they did; it judges an owner only by
 * the age of the lock (a runner killed with kill -9 would hold its run for
 * the whole lease, while `adhesive resume` must go on at once); and it has
 * no fencing number. Here nothing is ever removed to take a run over: the
 * next epoch's folder is made with mkdir, which exactly one process can
 * succeed at (like SET NX), so two resumes can never both hold the run, and
 * the epoch is what the old owner's writes are checked against.
 */
export function claimRun(runFolder: string, runId: string, leaseMs: number): RunLease | { heldBy: OwnerRecord | undefined } {
  const owners = join(runFolder, OWNERS_FOLDER);
  mkdirSync(owners, { recursive: true, mode: 0o700 });
  for (;;) {
    const current = latestEpoch(owners);
    let takenFrom: OwnerRecord | undefined;
    if (current > 0) {
      const folder = join(owners, String(current));
      const holder = readOwner(folder);
      if (!existsSync(join(folder, RELEASED_FILE))) {
        const renewed = statSync(folder, { throwIfNoEntry: false })?.mtimeMs;
        // taken over and cleaned up meanwhile: look again
        if (renewed === undefined) continue;
        const fresh = Date.now() - renewed < leaseMs;
        // a claim without its owner file yet is being made right now (or its maker died making it: then it goes stale)
        const alive = holder === undefined || isAlive(holder);
        if (alive && fresh) return { heldBy: holder };
        takenFrom = holder;
      }
    }
    const next = join(owners, String(current + 1));
    const claimedAt = Date.now();
    try {
      mkdirSync(next, { mode: 0o700 });
    } catch (error) {
      // another process claimed that epoch first: see who holds the run now
      if ((error as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw error;
    }
    const { pid, start } = processIdentity();
    writeFileSync(join(next, OWNER_FILE), JSON.stringify({ pid, start, at: Date.now() } satisfies OwnerRecord), { mode: 0o600 });
    // earlier claims are history: the latest one alone says who holds the run
    for (const name of readdirSync(owners)) if (/^\d+$/.test(name) && Number(name) <= current) rmSync(join(owners, name), { recursive: true, force: true });
    return new FileLease(owners, runId, current + 1, takenFrom, leaseMs, claimedAt);
  }
}

class FileLease implements RunLease {
  readonly epoch: number;
  readonly takenFrom: OwnerRecord | undefined;
  private readonly owners: string;
  private readonly runId: string;
  private readonly leaseMs: number;
  /* the owners folder, open: fstat on it tells when an entry is added or removed, for the price of one system call */
  private fd: number | undefined;
  private links: number;
  private changed: number;
  private lost = false;
  private timer: NodeJS.Timeout | undefined;
  /* Date.now() before the claim was last made or renewed: no other process may take the run over before this plus leaseMs */
  private renewedAt: number;

  constructor(owners: string, runId: string, epoch: number, takenFrom: OwnerRecord | undefined, leaseMs: number, claimedAt: number) {
    this.renewedAt = claimedAt;
    this.owners = owners;
    this.runId = runId;
    this.epoch = epoch;
    this.takenFrom = takenFrom;
    this.leaseMs = leaseMs;
    this.fd = openSync(owners, "r");
    const stat = fstatSync(this.fd);
    this.links = stat.nlink;
    this.changed = stat.ctimeMs;
  }

  /*
   * Called after every journal write. Another process takes the run over
   * only once the claim has not been renewed for leaseMs (claimRun), so for
   * the first half of that after a renewal the answer is known without the
   * fstat (which cost 7% of a journaled run at the default pool size); a
   * process paused for longer (SIGSTOP, a GC pause) looks again.
   */
  holds(): boolean {
    if (this.lost) return false;
    if (Date.now() - this.renewedAt < this.leaseMs / 2) return true;
    return this.check();
  }

  private check(): boolean {
    if (this.lost) return false;
    if (this.fd === undefined) return true;
    const stat = fstatSync(this.fd);
    if (stat.nlink === this.links && stat.ctimeMs === this.changed) return true;
    // the owners folder changed: a later epoch means another process holds the run now
    this.lost = readdirSync(this.owners).some((name) => /^\d+$/.test(name) && Number(name) > this.epoch);
    this.links = stat.nlink;
    this.changed = stat.ctimeMs;
    return !this.lost;
  }

  keep(lost: (error: OwnerLostError) => void): void {
    this.timer = setInterval(() => {
      if (this.check() && this.renew()) return;
      clearInterval(this.timer);
      this.timer = undefined;
      lost(this.lostError());
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    this.timer.unref();
  }

  lostError(): OwnerLostError {
    const by = readOwner(join(this.owners, String(latestEpoch(this.owners))));
    return new OwnerLostError(this.runId, this.epoch, by, this.leaseMs);
  }

  release(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.check()) {
      try {
        writeFileSync(join(this.owners, String(this.epoch), RELEASED_FILE), "", { mode: 0o600 });
      } catch {
        // a folder that can no longer be written: the lease runs out instead
      }
    }
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /* touches the claim: its modification time is when the lease was last renewed */
  private renew(): boolean {
    try {
      const now = new Date();
      utimesSync(join(this.owners, String(this.epoch)), now, now);
      this.renewedAt = now.getTime();
      return true;
    } catch {
      // gone: taken over, and the old claims cleaned up
      this.lost = true;
      return false;
    }
  }
}

function latestEpoch(owners: string): number {
  let latest = 0;
  for (const name of readdirSync(owners)) if (/^\d+$/.test(name)) latest = Math.max(latest, Number(name));
  return latest;
}

function readOwner(folder: string): OwnerRecord | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(folder, OWNER_FILE), "utf8")) as OwnerRecord;
    return typeof owner.pid === "number" ? owner : undefined;
  } catch {
    return undefined;
  }
}
