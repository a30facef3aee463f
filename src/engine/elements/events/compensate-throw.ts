import type { Behaviour } from "../behaviour.js";

/** Compensate throw and end events compensate completed activities of their scope; the token goes on when that is done (compensation.ts). */
export const compensateThrow: Behaviour = {
  execute(core, token) {
    core.events.compensation.throw(token);
  },
};

/** A cancel end event cancels the transaction around it (compensation.ts). */
export const cancelEnd: Behaviour = {
  execute(core, token) {
    core.events.compensation.cancel(token);
  },
};
