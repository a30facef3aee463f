import { TokenState } from "../../token.js";
import type { Behaviour } from "../behaviour.js";

/** Signal throw and end events broadcast their signal to the whole run (signals.ts), then go on. */
export const signalThrow: Behaviour = {
  execute(core, token) {
    core.events.signals.broadcast(token);
    // a signal boundary event around the thrower may have interrupted it
    if (token.state !== TokenState.Cancelled) core.route(token);
  },
};
