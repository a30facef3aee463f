import { share } from "../../data.js";
import type { Behaviour } from "../behaviour.js";
import { enterScope } from "./sub-process.js";

/**
 * An event sub-process that triggered (scope-events.ts, raise.ts): an
 * instance of it starts at its start event. A compensation event
 * sub-process runs when its completed sub-process is compensated, in that
 * sub-process's instance (compensation.ts).
 */
export const eventSubProcess: Behaviour = {
  execute(core, token) {
    const node = token.node;
    enterScope(core, token, node.children!, [node.trigger!], share(token.ref));
  },
};
