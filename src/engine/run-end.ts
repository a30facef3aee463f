import { release, type DataRef } from "./data.js";
import type { Engine } from "./engine.js";
import type { Frame } from "./frame.js";
import { InputKind } from "./inputs.js";
import { mergeResult } from "./merge.js";
import { OutsideMessage, runEnded } from "./outside-message.js";
import { TokenState, type Token } from "./token.js";
import type { Arm } from "./waits.js";
import type { GraphNode } from "../model/graph.js";

/**
 * How scope instances and the run end. When the last token of an instance
 * has gone, its owner (a sub-process token) goes on with the instance's
 * merged data, or the instance of a message event merges into the run's
 * result; the run is over once nothing is left and nothing can start more.
 * A run that fails cancels every token first.
 */

/** The last token of a frame finished: hand its data to whoever waits for the frame. */
export function frameDone(engine: Engine, frame: Frame): void {
  // the last compensation handler that ran in an instance that had ended (compensation.ts): nobody waits for it
  if (frame.ended) return;
  engine.tasks.frameEnded(frame);
  if (frame.cancelled) return;
  engine.events.scopes.closed(frame, false);
  engine.events.compensation.frameEnded(frame);
  const owner = frame.owner;
  if (owner !== undefined) {
    frame.ended = true;
    const result = childResult(engine, owner, frame.result);
    if (result === null) return;
    if (result !== undefined && result !== owner.ref) {
      release(owner.ref);
      owner.ref = result;
    }
    owner.child = undefined;
    owner.state = TokenState.Completed;
    engine.enqueue(owner);
    return;
  }
  if (frame !== engine.root) {
    engine.instances.frames.delete(frame);
    if (frame.instance > 0) engine.journal?.instanceEnded(frame.instance, engine.now());
    if (frame.result !== undefined) mergeResult(engine.root!, frame.result);
    engine.instances.wake();
  }
  checkFinished(engine);
}

/* what the owner goes on with: the frame's result, unless its behaviour maps it (a call activity); null when that failed the owner */
function childResult(engine: Engine, owner: Token, result: DataRef | undefined): DataRef | undefined | null {
  const map = engine.behaviours[owner.node.index].childResult;
  if (map === undefined) return result;
  try {
    return map(engine, owner, result);
  } catch (error) {
    owner.child = undefined;
    owner.state = TokenState.Completed;
    engine.fail(owner, error);
    return null;
  }
}

/* a source that closes while its last events still wait in the inbox (the engine paused for the event loop) must not end the run without them */
export function checkFinished(engine: Engine): void {
  const { instances, root } = engine;
  if (engine.finished || instances.openSources > 0 || instances.frames.size > 0 || engine.loop.pendingInputs > 0) return;
  if (root === undefined || root.live > 0) return;
  engine.finished = true;
  engine.ending.unwatch?.();
  instances.wake();
  engine.ending.resolve?.(root.result?.data ?? engine.ending.initial);
}

export function failRun(engine: Engine, error: Error): void {
  if (engine.finished) return;
  engine.finished = true;
  cancelAll(engine);
  engine.ending.unwatch?.();
  engine.instances.wake();
  engine.ending.reject?.(error);
}

/* every token goes, then the outcomes still waiting in the inbox: those of tasks cancelled just now tell the runtime they ended */
function cancelAll(engine: Engine): void {
  if (engine.root) engine.cancelFrame(engine.root);
  for (const frame of engine.instances.frames) engine.cancelFrame(frame);
  engine.instances.frames.clear();
  engine.loop.dropInputs((kind: InputKind, target: Token | Arm | GraphNode, generation: number, payload: unknown): void => {
    if ((kind === InputKind.Done || kind === InputKind.Failed) && (target as Token).generation !== generation) {
      engine.options.observer?.cancelledTaskSettled?.();
    }
    // a message from outside that the run ended before taking: its sender hears so
    if (payload instanceof OutsideMessage) payload.settled?.({ refused: runEnded() });
  });
}
