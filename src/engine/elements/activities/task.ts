import { applyInputs } from "../../data-mapping.js";
import { Step, type Behaviour } from "../behaviour.js";
import { armBoundaries } from "../events/boundaries/boundary.js";

/** Tasks, user tasks and scripts: their input mappings are set, their boundary events are armed while the function runs. */
export const task: Behaviour = {
  execute(core, token) {
    if (token.node.inputs !== undefined && !applyInputs(core, token)) return;
    if (!armBoundaries(core, token)) return;
    core.tasks.schedule(token);
  },
  // no input mappings, no boundary events to arm, no `when`, no key to wait for: straight to the pool
  plainStep(node, tasks) {
    return node.inputs === undefined && node.boundaries.length === 0 && node.when === undefined && !tasks.deduplicates(node) ? Step.Admit : Step.Behaviour;
  },
};
