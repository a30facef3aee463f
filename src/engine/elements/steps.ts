import type { GraphNode } from "../../model/graph.js";
import type { Core } from "../core.js";
import type { Token } from "../token.js";
import { task } from "./activities/task.js";
import type { Behaviour } from "./behaviour.js";
import { endEvent } from "./events/end-event.js";
import { passThrough } from "./pass-through.js";

/** What executing a node comes down to when its element has nothing to do but its usual step. */
export const enum Step {
  /** anything else: the element's behaviour decides */
  Behaviour = 0,
  /** a task without input mappings, boundary events, `when` or deduplication: it waits for a pool slot */
  Admit = 1,
  /** a start event or gateway that passes on, with no implementation and no message flows */
  Route = 2,
  /** a none end event without message flows */
  Finish = 3,
}

/**
 * Per node index, its Step. Most tokens pass such nodes, and a call through
 * the behaviour table is a call site that sees every kind of element (V8
 * cannot inline it); the checks the behaviour would make are made here once.
 */
export function plainSteps(nodes: readonly GraphNode[], behaviours: readonly Behaviour[], implemented: (node: GraphNode) => boolean, deduplicated: (node: GraphNode) => boolean): Uint8Array {
  return Uint8Array.from(nodes, (node) => {
    const behaviour = behaviours[node.index];
    if (behaviour === task) return node.inputs === undefined && node.boundaries.length === 0 && node.when === undefined && !deduplicated(node) ? Step.Admit : Step.Behaviour;
    if (behaviour === passThrough) return !implemented(node) && node.messageTargets === undefined ? Step.Route : Step.Behaviour;
    if (behaviour === endEvent) return node.errorCode === undefined && node.messageTargets === undefined ? Step.Finish : Step.Behaviour;
    return Step.Behaviour;
  });
}

/** Takes the node's plain step for the token; false when its behaviour must decide (Step.Behaviour). */
export function takePlainStep(core: Core, token: Token, step: number): boolean {
  if (step === Step.Admit) core.tasks.admit(token);
  else if (step === Step.Route) core.route(token);
  else if (step === Step.Finish) core.finish(token);
  else return false;
  return true;
}
