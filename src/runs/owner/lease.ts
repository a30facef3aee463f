import { AdhesiveError } from "../../errors.js";
import type { ProcessIdentity } from "../../journal/process-identity.js";

/**
 * One owner per run. The process that runs a run holds its lease, numbered
 * by an epoch that grows by one at every change of owner. A resume while
 * the owner lives and renews its lease is refused; once the owner is dead,
 * or has not renewed its lease for longer than it lasts (stopped with
 * SIGSTOP, or hung), another process may take the run over, with the next
 * epoch. The old owner may still wake up: every journal write it makes is
 * followed, before anything it recorded is acted on, by holds(), which is
 * false once a later epoch exists, and its run then stops with an
 * OwnerLostError having launched nothing more.
 *
 * file-lease.ts keeps leases in the run's folder. The same interface fits a
 * shared store: claim = SET run:<id>:owner NX PX <lease> with INCR
 * run:<id>:epoch, renew = PEXPIRE while the owner is unchanged, and the
 * epoch compared in the same Lua call as each journal append.
 */
export interface RunLease {
  /** grows by one at each change of owner */
  readonly epoch: number;
  /** the owner this lease was taken from, when it was not released (it died, or stopped answering) */
  readonly takenFrom: OwnerRecord | undefined;
  /** Whether no other process has taken the run over: cheap, called after each journal write. */
  holds(): boolean;
  /** Why this process may no longer write the run (after holds() said false). */
  lostError(): OwnerLostError;
  /** Renews the lease while this process runs the run; `lost` is called once another process is found to hold it. */
  keep(lost: (error: OwnerLostError) => void): void;
  /** The run ended (or was not continued): the next process may take it without waiting. */
  release(): void;
}

/** Who holds (or held) a run's lease. */
export interface OwnerRecord extends ProcessIdentity {
  /** when it claimed the run (epoch ms) */
  at: number;
}

/**
 * This process's lease of the run was taken over by another process while
 * this one did not renew it (it was stopped, or too busy for longer than the
 * lease lasts): it stops the run without writing anything more to it.
 */
export class OwnerLostError extends AdhesiveError {
  /** always `ADHESIVE_OWNER_LOST` */
  declare readonly code: "ADHESIVE_OWNER_LOST";
  /** the run's id */
  readonly runId: string;

  constructor(runId: string, epoch: number, by: OwnerRecord | undefined, leaseMs: number) {
    super(
      "ADHESIVE_OWNER_LOST",
      `run ${runId}: another process${by ? ` (pid ${by.pid})` : ""} took the run over (epoch ${epoch + 1}) while this one did not renew its lease for ${leaseMs / 1000} s (it was stopped or too busy); this process stops without writing anything more to the run`,
    );
    this.runId = runId;
  }
}
