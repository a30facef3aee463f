import { TokenState } from "../../token.js";
import type { Behaviour } from "../behaviour.js";
import { happened } from "../events/catch-event.js";

/** Waits for the events after it; the first to happen takes the token, the others are withdrawn (Triggers). Without any, its path ends there. */
export const eventBasedGateway: Behaviour = {
  execute(core, token) {
    if (token.node.outgoing.length === 0) return core.route(token);
    for (const flow of token.node.outgoing) if (happened(core, token, flow.target)) return;
    token.state = TokenState.Catching;
    for (const flow of token.node.outgoing) if (!core.triggers.waits.arm(token, flow.target)) return;
  },
};
