import type { GraphNode } from "../../model/graph.js";
import type { Core } from "../core.js";
import type { DataRef } from "../data.js";
import type { Token } from "../token.js";

/**
 * What one kind of element does when a token reaches it (past its join, once
 * per loop iteration). Each kind has its own file; the engine looks the
 * behaviour up by node kind (index.ts).
 */
export interface Behaviour {
  execute(core: Core, token: Token): void;
  /**
   * The scope instance the token owns ended with `result` (the data of its
   * tokens, merged): the data the token goes on with. Default: the result.
   * May throw (a mapping failed): the token fails.
   */
  childResult?(core: Core, token: Token, result: DataRef | undefined): DataRef | undefined;
  /**
   * What executing the node comes down to when it has nothing to do but its
   * kind's usual step (steps.ts): asked once per node and run, so the engine
   * takes that step without a call through the behaviour table. Default:
   * Step.Behaviour (execute() decides every time).
   */
  plainStep?(node: GraphNode, tasks: NodeTasks): Step;
}

/** What executing a node comes down to (Behaviour.plainStep). */
export const enum Step {
  /** anything else: the element's behaviour decides */
  Behaviour = 0,
  /** the task waits for a pool slot (Tasks.admit) */
  Admit = 1,
  /** the token goes on through the flows that apply (Core.route) */
  Route = 2,
  /** the token finishes (Core.finish) */
  Finish = 3,
}

/** What a plain step depends on besides the node: whether it has a function, and whether that deduplicates. */
export interface NodeTasks {
  implements(node: GraphNode): boolean;
  deduplicates(node: GraphNode): boolean;
}
