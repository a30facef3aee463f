import { callInput, callOutput } from "../../data-mapping.js";
import type { Behaviour } from "../behaviour.js";
import { armBoundaries } from "../events/boundaries/boundary.js";
import { enterScope } from "./sub-process.js";

/**
 * A call activity runs the process it calls as an instance owned by the
 * token, like a sub-process: with the caller's data unless the file maps
 * variables (camunda:in, Zeebe propagation and ioMapping), and back. Errors
 * and escalations thrown inside reach its boundary events.
 */
export const callActivity: Behaviour = {
  execute(core, token) {
    if (token.node.when !== undefined && !core.tasks.when(token)) return;
    const ref = callInput(core, token);
    if (ref === undefined) return;
    armBoundaries(core, token);
    const scope = token.node.called!;
    enterScope(core, token, scope, scope.starts, ref);
  },
  childResult(core, token, result) {
    return callOutput(core, token, result);
  },
};
