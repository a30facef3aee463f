import type { GraphNode } from "../model/graph.js";
import { newRef, type Data, type DataRef } from "./data.js";
import type { Engine } from "./engine.js";
import { startBlock } from "./express.js";
import type { Frame } from "./frame.js";
import { setMessage } from "./messages.js";

/** A new instance of the process at a start event, its token queued at the event (Engine.startInstance). */
export function startInstance(engine: Engine, node: GraphNode, event: unknown, instance: number): void {
  const ref = instanceData(engine, event);
  engine.spawn(node, openInstance(engine, node, ref, instance, node.scope.hasJoins), ref, undefined, -1);
}

/** The instance of a message event taken from the inbox (the token queue is empty): a fan-out block's goes straight to its tasks (express.ts). */
export function startEmitted(engine: Engine, node: GraphNode, event: unknown, instance: number): void {
  const block = engine.express?.byStart[node.index];
  if (block === undefined) return startInstance(engine, node, event, instance);
  const ref = instanceData(engine, event);
  startBlock(engine, block, openInstance(engine, node, ref, instance, false), ref);
}

/* the run's initial data, with the event's */
function instanceData(engine: Engine, event: unknown): DataRef {
  const data: Data = { ...engine.ending.initial };
  if (event !== undefined) setMessage(data, event);
  return newRef(data);
}

/* `counted`: with the per-node counts a join reads (an express block's instance makes them only if it goes back to the queue) */
function openInstance(engine: Engine, node: GraphNode, ref: DataRef, instance: number, counted: boolean): Frame {
  const frame = engine.newFrame(node.scope, undefined, undefined, ref, counted);
  frame.instance = instance;
  engine.instances.frames.add(frame);
  return frame;
}
