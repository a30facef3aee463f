import { ExpressionError } from "../../../errors.js";
import type { Scope } from "../../../model/graph.js";
import type { Core } from "../../core.js";
import { callInput, callOutput } from "../../data-mapping.js";
import type { Token } from "../../token.js";
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
    const scope = token.node.called ?? calledScope(core, token);
    if (scope === undefined) return;
    const ref = callInput(core, token);
    if (ref === undefined) return;
    if (!armBoundaries(core, token)) return;
    enterScope(core, token, scope, scope.starts, ref);
  },
  childResult(core, token, result) {
    return callOutput(core, token, result);
  },
};

/* the process an expression names (calledElement="${...}"), by id or name; undefined when it names none (the token has been failed) */
function calledScope(core: Core, token: Token): Scope | undefined {
  const expression = token.node.calledExpression!;
  let value: unknown;
  try {
    value = expression.evaluate(core.scopeOf(token));
  } catch (error) {
    core.fail(token, error);
    return undefined;
  }
  const scope = core.graph.callable?.get(String(value));
  if (scope) return scope;
  const known = [...(core.graph.callable?.keys() ?? [])].map((key) => JSON.stringify(key)).join(", ");
  const why = scope === null ? "which more than one process answers to; give its id" : `which is no process of the file or its folder (${known || "there are none"})`;
  core.fail(token, new ExpressionError(expression.text, token.node.id, `its value ${JSON.stringify(value)} names the process to call, ${why}`));
  return undefined;
}
