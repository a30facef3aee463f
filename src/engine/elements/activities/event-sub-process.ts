import { share } from "../../data.js";
import type { Behaviour } from "../behaviour.js";
import { enterScope } from "./sub-process.js";

/**
 * An event sub-process that triggered (scope-events.ts, raise.ts): an
 * instance of it starts at its start event. A compensation event
 * sub-process compensates what completed inside the sub-process it belongs
 * to (compensation.ts hands over that log).
 */
export const eventSubProcess: Behaviour = {
  execute(core, token) {
    const node = token.node;
    const child = enterScope(core, token, node.children!, [node.trigger!], share(token.ref));
    const inner = core.events.compensation.innerLog(token);
    if (inner !== undefined) child.compensable = inner;
  },
};
