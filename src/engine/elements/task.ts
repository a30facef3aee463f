import type { Behaviour } from "./behaviour.js";

/** Tasks, user tasks and scripts: their boundary events are armed while the function runs. */
export const task: Behaviour = {
  execute(core, token) {
    core.triggers.armBoundaries(token);
    core.tasks.schedule(token);
  },
};
