import { applyInputs } from "../../data-mapping.js";
import type { Behaviour } from "../behaviour.js";
import { armBoundaries } from "../events/boundaries/boundary.js";

/** Tasks, user tasks and scripts: their input mappings are set, their boundary events are armed while the function runs. */
export const task: Behaviour = {
  execute(core, token) {
    if (token.node.inputs !== undefined && !applyInputs(core, token)) return;
    if (!armBoundaries(core, token)) return;
    core.tasks.schedule(token);
  },
};
