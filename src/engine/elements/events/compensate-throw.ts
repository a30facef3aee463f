import type { Behaviour } from "../behaviour.js";

/** Compensate throw and end events compensate completed activities of their scope; the token goes on when that is done (compensation.ts). */
export const compensateThrow: Behaviour = {
  execute(core, token) {
    core.events.compensation.throw(token);
  },
};
