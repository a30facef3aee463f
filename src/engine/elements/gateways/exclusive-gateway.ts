import { RoutingError } from "../../../errors.js";
import type { ExpressionScope } from "../../../model/expression.js";
import type { GraphFlow, GraphNode } from "../../../model/graph.js";
import type { ScopeSource } from "../../routing.js";
import type { Token } from "../../token.js";
import type { Behaviour } from "../behaviour.js";
import { passThrough } from "../pass-through.js";

/**
 * An exclusive gateway passes every token through (no join) and takes one
 * flow: the first whose condition holds, in document order, else the
 * default; none is a RoutingError. Its one flow without a condition is its
 * default (compile.ts); with two or more the gateway's implementation
 * returns the flow to take (`gateway("Decide", fn)`, decisions.ts).
 */
export const exclusiveGateway: Behaviour = passThrough;

/** The flow an exclusive (or event-based) gateway takes; routing.ts asks it for every token leaving one. */
export function selectOne(node: GraphNode, token: Token, scopes: ScopeSource): GraphFlow {
  let evaluated: ExpressionScope | undefined;
  for (const flow of node.outgoing) {
    if (flow === node.defaultFlow || flow.condition === undefined) continue;
    evaluated ??= scopes.scopeOf(token);
    if (flow.condition.evaluate(evaluated)) return flow;
  }
  if (node.defaultFlow) return node.defaultFlow;
  throw new RoutingError(node.id, node.name);
}
