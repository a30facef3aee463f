import type { Behaviour } from "../behaviour.js";

/** A cancel end event cancels the transaction around it (compensation.ts): the rest stops, what completed is compensated, the token leaves by the cancel boundary event. */
export const cancelEnd: Behaviour = {
  execute(core, token) {
    core.events.compensation.cancel(token);
  },
};
