import type { Data } from "./data.js";

/**
 * What a run is when nothing is in it: no token (not even one parked at a
 * join), no timer armed, no message or condition subscribed, no instance
 * running, no input or task launch waiting. Then all that the engine
 * carries from its past is the numbers it hands out next (task numbers are
 * in the journal and in ctx.idempotencyKey; token ids name log files; arm
 * numbers name timers in the journal) and the data of the instances that
 * ended, merged (the run's result so far). A run rebuilt from a checkpoint
 * and the inputs after it is the run that was: this is how a journal is
 * kept as long as a long-running message process's live state instead of
 * its history (src/journal/snapshot.ts).
 */
export interface EngineCheckpoint {
  /** tasks started so far (the last task number) */
  tasks: number;
  /** the next token id and frame id */
  tokens: number;
  frames: number;
  /** arms armed so far (the last arm number) */
  arms: number;
  /** the merged data of the instances that ended, if any did */
  result: Data | undefined;
}
