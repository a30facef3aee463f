import type { Behaviour } from "./behaviour.js";

/**
 * Gateways, start events, boundary events and none throw events: the token
 * goes on through the flows that apply (routing.ts). A gateway that has an
 * implementation (`gateway("Decide", fn)`) runs it first, like a task.
 */
export const passThrough: Behaviour = {
  execute(core, token) {
    if (core.tasks.implements(token.node)) core.tasks.schedule(token);
    else core.route(token);
  },
};
