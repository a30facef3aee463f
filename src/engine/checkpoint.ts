import { newRef, type Data } from "./data.js";
import type { Engine } from "./engine.js";
import type { Frame } from "./frame.js";

/**
 * What a run is when nothing is in it: no token (not even one parked at a
 * join), no timer armed, no message or condition subscribed, no instance
 * running, no input or task launch waiting. Then all that the engine
 * carries from its past is the numbers it hands out next (task numbers are
 * in the journal and in ctx.idempotencyKey; token ids name log files; arm
 * numbers name timers in the journal; message instance numbers name
 * instances in the journal and ctx.instance) and the data of the instances that
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
  /** message instances started so far (the last instance number); absent in snapshots written before instances were numbered */
  instances?: number;
  /** the merged data of the instances that ended, if any did */
  result: Data | undefined;
}

/** The run as a checkpoint, when nothing is in it; else undefined. Asked between turns, with the run's journal written. */
export function checkpointOf(engine: Engine): EngineCheckpoint | undefined {
  const { root, instances, tasks, loop } = engine;
  if (root === undefined || engine.finished || engine.replaying || root.live > 0 || root.watcher !== undefined) return undefined;
  const waits = engine.triggers.waits;
  if (instances.frames.size > 0 || instances.waitingEmits > 0 || !loop.idle || loop.pendingInputs > 0 || !tasks.quiet) return undefined;
  if (waits.armedTimers > 0 || waits.subscriptions > 0) return undefined;
  return { tasks: tasks.numbered, tokens: engine.nextTokenId, frames: engine.nextFrameId, arms: waits.armCount, instances: instances.numbered, result: root.result?.data };
}

/** A run started from a checkpoint goes on with its numbers and its result. */
export function restore(engine: Engine, root: Frame, from: EngineCheckpoint): void {
  engine.nextTokenId = from.tokens;
  engine.nextFrameId = Math.max(engine.nextFrameId, from.frames);
  engine.tasks.restoreNumbering(from.tasks);
  engine.triggers.waits.restoreArmCount(from.arms);
  engine.instances.numbered = from.instances ?? 0;
  if (from.result !== undefined) root.result = newRef(from.result);
}
