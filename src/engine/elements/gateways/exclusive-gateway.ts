import { RoutingError } from "../../../errors.js";
import type { ExpressionScope } from "../../../model/expression.js";
import type { GraphFlow, GraphNode } from "../../../model/graph.js";
import type { ScopeSource } from "../../routing.js";
import type { Token } from "../../token.js";
import type { Behaviour } from "../behaviour.js";
import { passThrough } from "../pass-through.js";

/**
 * An exclusive gateway passes every token through (no join) and takes one
 * flow: the first in document order whose condition holds or that has
 * none, else the default; none is a RoutingError (BPMN §13.4.2). With two or
 * more flows without a condition the gateway's implementation returns the
 * flow to take instead (`gateway("Decide", fn)`, decisions.ts).
 */
export const exclusiveGateway: Behaviour = passThrough;

/** The flow an exclusive (or event-based) gateway takes; routing.ts asks it for every token leaving one. */
export function selectOne(node: GraphNode, token: Token, scopes: ScopeSource): GraphFlow {
  let evaluated: ExpressionScope | undefined;
  for (const flow of node.outgoing) {
    if (flow === node.defaultFlow) continue;
    if (flow.condition === undefined) return flow;
    evaluated ??= scopes.scopeOf(token);
    if (flow.condition.evaluate(evaluated)) return flow;
  }
  if (node.defaultFlow) return node.defaultFlow;
  throw new RoutingError(node, scopes.graph.source);
}
