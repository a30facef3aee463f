import { compileExpression, type CompiledExpression } from "../model/expression.js";
import type { GraphNode } from "../model/graph.js";

/**
 * A message sent with a correlation key reaches the tokens whose
 * subscription key (Zeebe's `zeebe:subscription correlationKey`) has its
 * value, compared as text, since Zeebe's keys are strings. A FEEL key
 * becomes a FEEL correlation, so the journal records and replays it like
 * any other; a fixed key either matches (every waiting token: undefined)
 * or not (false: none). Throws when the subscription does not compile.
 */
export function keyCorrelation(node: GraphNode, key: string | number): CompiledExpression | undefined | false {
  const subscription = node.correlationKey;
  if (subscription === undefined) return false;
  if (!subscription.startsWith("=")) return subscription === String(key) ? undefined : false;
  return compileExpression(`= string(${subscription.slice(1)}) = ${JSON.stringify(String(key))}`, node.id);
}
