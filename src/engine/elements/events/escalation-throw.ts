import { TokenState } from "../../token.js";
import type { Behaviour } from "../behaviour.js";

/** Escalation throw and end events raise their escalation to the boundary events and event sub-processes around them (raise.ts). */
export const escalationThrow: Behaviour = {
  execute(core, token) {
    core.events.raise.escalate(token, token.node.escalationCode);
    if (token.state !== TokenState.Cancelled) core.route(token);
  },
};
