import { TokenState } from "../token.js";
import type { Behaviour } from "./behaviour.js";

/** An intermediate timer or message catch event: the token waits there until it happens (Triggers). */
export const catchEvent: Behaviour = {
  execute(core, token) {
    token.state = TokenState.Catching;
    core.triggers.waits.arm(token, token.node);
  },
};
