import type { GraphNode } from "../../model/graph.js";
import type { Core } from "../core.js";
import type { Token } from "../token.js";
import { Step, type Behaviour, type NodeTasks } from "./behaviour.js";

/**
 * Per node index, its plain step (Behaviour.plainStep). Most tokens pass
 * such nodes, and a call through the behaviour table is a call site that
 * sees every kind of element (V8 cannot inline it); the checks the
 * behaviour would make each time are made here once.
 */
export function plainSteps(nodes: readonly GraphNode[], behaviours: readonly Behaviour[], tasks: NodeTasks): Uint8Array {
  return Uint8Array.from(nodes, (node) => behaviours[node.index].plainStep?.(node, tasks) ?? Step.Behaviour);
}

/** Takes the node's plain step for the token; false when its behaviour must decide (Step.Behaviour). */
export function takePlainStep(core: Core, token: Token, step: number): boolean {
  if (step === Step.Admit) core.tasks.admit(token);
  else if (step === Step.Route) core.route(token);
  else if (step === Step.Finish) core.finish(token);
  else return false;
  return true;
}
