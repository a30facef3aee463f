/**
 * Where a run lives in the store. Every key of one run carries the run id
 * in braces (a Redis Cluster hash tag), so the scripts that touch several
 * of them at once (fenced-write.ts) name keys of one slot.
 */
export interface RunKeys {
  /** the lease: who runs the run, for how long more (SET NX PX) */
  lease: string;
  /** the fencing epoch: grows by one at each claim (INCR) */
  epoch: string;
  /** the last claim, kept after the lease expires: whom a takeover took the run from */
  owner: string;
  /** the journal: one stream entry per record, in the journal file's format */
  journal: string;
  /** messages and answers for the run, acknowledged once journaled */
  inbox: string;
  /** the registry entry: state, owner, counts (a hash) */
  info: string;
}

export const KEY_PREFIX = "adhesive";
/** every run of the store, scored by the time it was registered (epoch ms) */
export const RUNS_INDEX = `${KEY_PREFIX}:runs`;
/** the consumer group the run's owner reads its inbox with */
export const INBOX_GROUP = "owner";

export function runKeys(runId: string): RunKeys {
  const base = `${KEY_PREFIX}:run:{${runId}}`;
  return {
    lease: `${base}:lease`,
    epoch: `${base}:epoch`,
    owner: `${base}:owner`,
    journal: `${base}:journal`,
    inbox: `${base}:inbox`,
    info: `${base}:info`,
  };
}
