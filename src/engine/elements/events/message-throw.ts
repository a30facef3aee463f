import type { Behaviour } from "../behaviour.js";

/**
 * Message throw and end events: the message goes along the element's
 * message flows; without flows (or besides them) the implementation
 * registered by the element's name sends it, as a send task's does, and the
 * token goes on once it has.
 */
export const messageThrow: Behaviour = {
  execute(core, token) {
    // the message flows are served when the implementation completes (completions.ts)
    if (core.tasks.implements(token.node)) {
      core.tasks.schedule(token);
      return;
    }
    core.events.messages.send(token);
    core.route(token);
  },
};
