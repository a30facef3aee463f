import { Step, type Behaviour } from "./behaviour.js";

/**
 * Gateways, start events, boundary events, link events and none throw
 * events: the token goes on through the flows that apply (routing.ts),
 * sending along the element's message flows first. A gateway that has an
 * implementation (`gateway("Decide", fn)`) runs it first, like a task.
 */
export const passThrough: Behaviour = {
  execute(core, token) {
    if (core.tasks.implements(token.node)) {
      core.tasks.schedule(token);
      return;
    }
    if (token.node.messageTargets !== undefined) core.events.messages.send(token);
    core.route(token);
  },
  plainStep(node, tasks) {
    return !tasks.implements(node) && node.messageTargets === undefined ? Step.Route : Step.Behaviour;
  },
};
