import { TokenState } from "../../token.js";
import type { Behaviour } from "../behaviour.js";
import { armBoundaries } from "../events/boundaries/boundary.js";
import { happened } from "../events/catch-event.js";
import { task } from "./task.js";

/**
 * A receive task that a message flow leads to, or that a message() source
 * feeds (fromInbox: adhesive send), waits for its message like a message
 * catch event (its boundary events are armed meanwhile); any other runs
 * like a task, implemented by its name.
 */
export const receiveTask: Behaviour = {
  execute(core, token) {
    if (!token.node.messageFed && core.options.runner.fedFromOutside?.(token.node) !== true) {
      task.execute(core, token);
      return;
    }
    if (happened(core, token, token.node)) return;
    if (!armBoundaries(core, token)) return;
    token.state = TokenState.Catching;
    core.triggers.waits.arm(token, token.node);
  },
};
