import { share } from "../../data.js";
import type { Behaviour } from "../behaviour.js";
import { enterScope } from "./sub-process.js";

/**
 * A pool of a collaboration: its process runs as an instance of its own
 * beside the other pools, and the run's result merges theirs. A process
 * started only by messages, timers or signals has nothing to run yet: its
 * instances start when they are triggered (as instances of the run).
 */
export const pool: Behaviour = {
  execute(core, token) {
    const scope = token.node.children!;
    if (scope.starts.length === 0) core.route(token);
    else enterScope(core, token, scope, scope.starts, share(token.ref));
  },
};
