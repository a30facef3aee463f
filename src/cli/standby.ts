/*
 * What `adhesive serve` stands by for (serve.ts): the runs of the store
 * whose orchestrator stopped renewing its lease.
 *
 * A look at the registry every third of the lease (at most every second)
 * finds the runs that are running. Each one found is claimed at once and,
 * while another process holds it, claimed again the moment that holder's
 * lease would run out: a failed claim says how long it has left (lease.ts).
 * So a lease that ran out is claimed within a round trip, without polling
 * the store often and without keyspace notifications, which a user's Redis
 * may not have on (`notify-keyspace-events`) and which Redis sends when it
 * gets round to deleting the key, not when its time is up.
 *
 * The run's owner is then this process, which renews the lease while
 * `adhesive resume <id> --store` starts in a child process of its own,
 * which imports the process file, replays the journal and takes the claim
 * over (takeHandover): the start takes longer than a lease may have left.
 * When the child ends without having taken it, the claim is given back.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { describe } from "../errors.js";
import type { Store } from "../store/connection.js";
import { claimStoreRun, type StoreHandover, type StoreLease } from "../store/lease.js";
import { listStoreRuns, readRegistry } from "../store/registry.js";
import { HANDOVER_ENV } from "./handover-env.js";

/* the longest pause between two looks at the registry */
const MAX_SCAN_MS = 1000;

export interface StandbySettings {
  store: Store;
  url: string;
  leaseMs: number;
  /** the process file given to serve, else the one each run's journal names */
  file: string | undefined;
  cwd: string;
  out: (text: string) => void;
  err: (text: string) => void;
}

export class Standby {
  private readonly settings: StandbySettings;
  /* the runs seen running and not taken over here, with the timer of their next claim */
  private readonly watched = new Map<string, NodeJS.Timeout | undefined>();
  /* the runs taken over here: their child, ended once it exited and the claim it did not take was given back */
  private readonly taken = new Map<string, { child: ChildProcess; ended: Promise<void> }>();
  private scanner: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(settings: StandbySettings) {
    this.settings = settings;
  }

  start(): void {
    let scanning = false;
    const look = (): void => {
      if (scanning) return;
      scanning = true;
      this.scan()
        .catch((error: unknown) => this.settings.err(`serve: cannot look at the store: ${describe(error)}\n`))
        .finally(() => (scanning = false));
    };
    look();
    this.scanner = setInterval(look, Math.min(MAX_SCAN_MS, Math.max(50, Math.floor(this.settings.leaseMs / 3))));
  }

  /** Stops claiming, passes the signal on to the runs taken over, and gives back the claims they did not take. */
  async stop(signal: NodeJS.Signals): Promise<void> {
    this.stopping = true;
    clearInterval(this.scanner);
    for (const timer of this.watched.values()) clearTimeout(timer);
    this.watched.clear();
    const taken = [...this.taken.values()];
    for (const { child } of taken) child.kill(signal);
    await Promise.all(taken.map(({ ended }) => ended));
  }

  private async scan(): Promise<void> {
    const running = new Set((await listStoreRuns(this.settings.store)).filter((entry) => entry.state === "running").map((entry) => entry.runId));
    if (this.stopping) return;
    for (const runId of running) if (!this.watched.has(runId) && !this.taken.has(runId)) this.watch(runId, 0);
    // ended, or continued by another standby that finished it: nothing to wait for
    for (const [runId, timer] of this.watched) {
      if (running.has(runId)) continue;
      clearTimeout(timer);
      this.watched.delete(runId);
    }
  }

  private watch(runId: string, delayMs: number): void {
    this.watched.set(
      runId,
      setTimeout(() => {
        this.claim(runId).catch((error: unknown) => {
          this.settings.err(`serve: cannot claim run ${runId}: ${describe(error)}\n`);
          if (this.watched.has(runId)) this.watch(runId, MAX_SCAN_MS);
        });
      }, delayMs),
    );
  }

  private async claim(runId: string): Promise<void> {
    if (this.stopping || !this.watched.has(runId)) return;
    const claimed = await claimStoreRun(this.settings.store, runId, this.settings.leaseMs);
    if (!this.watched.has(runId) || this.stopping) {
      if (!("heldBy" in claimed)) await claimed.release();
      return;
    }
    if ("heldBy" in claimed) {
      // PTTL: -2 the lease ran out since the claim failed, -1 a lease without end (not one of adhesive's)
      this.watch(runId, claimed.leftMs >= 0 ? claimed.leftMs : claimed.leftMs === -2 ? 0 : this.settings.leaseMs);
      return;
    }
    this.watched.delete(runId);
    // the run may have ended between the look at the registry and the claim: its owner writes the end before it gives back the lease
    if ((await readRegistry(this.settings.store, runId))?.state !== "running") {
      await claimed.release();
      return;
    }
    // the renewals stop by themselves once the child took the claim over (its epoch moved on)
    claimed.keep(() => undefined);
    this.takeOver(runId, claimed);
  }

  private takeOver(runId: string, lease: StoreLease): void {
    const { url, file, cwd, out, err } = this.settings;
    const from = lease.takenFrom;
    out(`serve: taking over run ${runId} (its lease ran out; it was run by ${from === undefined ? "nobody known" : `pid ${from.pid} on ${from.host}`})\n`);
    const handover: StoreHandover = { runId, epoch: lease.epoch, takenFrom: from };
    const args = [process.argv[1], "resume", runId, ...(file === undefined ? [] : [file])];
    // the URL (and its password) through the environment: a command line is anyone's to read in ps
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ADHESIVE_STORE: url, [HANDOVER_ENV]: JSON.stringify(handover) }, stdio: ["ignore", "pipe", "pipe"] });
    const label = `[${runId.slice(0, 8)}] `;
    child.stdout!.on("data", (chunk: Buffer) => out(chunk.toString().replace(/^(?=.)/gm, label)));
    child.stderr!.on("data", (chunk: Buffer) => err(chunk.toString().replace(/^(?=.)/gm, label)));
    const ended = new Promise<void>((resolve) =>
      child.once("exit", (code, signal) => {
        out(`serve: run ${runId} ${code === 0 ? "ended" : `stopped (${signal ?? `exit code ${code}`})`}\n`);
        // a child that never took the claim over leaves the run to the next look (release does nothing once the epoch moved on)
        void lease
          .release()
          .catch(() => undefined)
          .finally(() => {
            this.taken.delete(runId);
            resolve();
          });
      }),
    );
    this.taken.set(runId, { child, ended });
  }
}

