import type { GraphNode } from "../../../model/graph.js";
import { watchesData } from "../../../model/kinds.js";
import type { Core } from "../../core.js";
import { NO_MESSAGE } from "../../messages.js";
import { TokenState, type Token } from "../../token.js";
import type { Behaviour } from "../behaviour.js";

/**
 * An intermediate catch event (timer, message, signal, conditional): the
 * token waits there until it happens (Triggers). A message that a message
 * flow brought before the token arrived is taken at once; a condition that
 * already holds lets the token pass.
 */
export const catchEvent: Behaviour = {
  execute(core, token) {
    if (happened(core, token, token.node) || token.state === TokenState.Cancelled) return;
    token.state = TokenState.Catching;
    core.triggers.waits.arm(token, token.node);
  },
};

/**
 * Whether `event` (the token's catch event, or one after its event-based
 * gateway) has already happened for the token: it then moves on (or, when
 * its condition failed, it failed).
 */
export function happened(core: Core, token: Token, event: GraphNode): boolean {
  if (event.messageFed) {
    const message = core.events.messages.take(event);
    if (message !== NO_MESSAGE) {
      core.triggers.caught(token, event, true, message);
      return true;
    }
  }
  if (!watchesData(event)) return false;
  const holds = core.events.conditions.holdsOnArrival(token, event);
  if (holds) core.triggers.caught(token, event, false, undefined);
  return holds || token.state === TokenState.Cancelled;
}
