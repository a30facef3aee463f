import { COMPLETION } from "../model/graph.js";
import type { Core } from "./core.js";
import { applyOutputs } from "./data-mapping.js";
import { TokenState, type Token } from "./token.js";

/**
 * What happens when a token completes at a node besides leaving it by its
 * flows (GraphNode.onComplete, 0 for most nodes): output mappings, messages
 * along message flows, the compensation log, conditional events that watch
 * data, the end of a compensation handler and the flow a decision chose.
 * Returns true when the token was taken care of and must not be routed.
 */
export function completed(core: Core, token: Token): boolean {
  const work = token.node.onComplete;
  const events = core.events;
  if (work & COMPLETION.outputs && !applyOutputs(core, token)) return true;
  if (work & COMPLETION.send) events.messages.send(token);
  if (work & COMPLETION.compensable) events.compensation.completed(token);
  if (work & COMPLETION.handler && events.compensation.handlerDone(token)) return true;
  // a condition that now holds may interrupt the scope this token is in
  if (work & COMPLETION.conditions) events.conditions.changed(token);
  if (token.state === TokenState.Cancelled) return true;
  if (work & COMPLETION.decision) {
    events.decisions.route(token);
    return true;
  }
  return false;
}
