import { RoutingError } from "../errors.js";
import type { ExpressionScope } from "../model/expression.js";
import type { GraphFlow, GraphNode } from "../model/graph.js";
import { selectOne } from "./elements/gateways/exclusive-gateway.js";
import type { Token } from "./token.js";

/** Where conditions find a token's variables (the engine, asked only when a flow has a condition), and the file a routing error names. */
export interface ScopeSource {
  readonly graph: { readonly source: string };
  scopeOf(token: Token): ExpressionScope;
}

const NONE: readonly GraphFlow[] = [];

/**
 * The flows a token leaving `node` takes. Exclusive (and event-based)
 * gateways take one (gateways/exclusive-gateway.ts); every other node takes
 * each flow whose condition holds (no condition means true), and the
 * default only when nothing else applies; an inclusive gateway where none
 * applies is a RoutingError.
 * Expression errors propagate to the caller, which fails the token. The
 * scope is a source and a token, not a closure: every token leaving a node
 * passes here.
 */
export function selectFlows(node: GraphNode, token: Token, scopes: ScopeSource): readonly GraphFlow[] {
  const flows = node.outgoing;
  if (flows.length === 0) return NONE;
  if (flows.length === 1 && flows[0].condition === undefined) return flows;
  if (node.kind === "exclusiveGateway" || node.kind === "eventBasedGateway") return [selectOne(node, token, scopes)];
  return selectAll(node, token, scopes);
}

function selectAll(node: GraphNode, token: Token, scopes: ScopeSource): readonly GraphFlow[] {
  if (allTaken(node)) return node.outgoing;
  const taken: GraphFlow[] = [];
  let evaluated: ExpressionScope | undefined;
  for (const flow of node.outgoing) {
    if (flow === node.defaultFlow) continue;
    if (flow.condition !== undefined) {
      evaluated ??= scopes.scopeOf(token);
      if (!flow.condition.evaluate(evaluated)) continue;
    }
    taken.push(flow);
  }
  if (taken.length > 0) return taken;
  if (node.defaultFlow) return [node.defaultFlow];
  // BPMN §10.6.3: an inclusive gateway with no way out is a runtime exception; any other node's token ends there
  if (node.kind === "inclusiveGateway") throw new RoutingError(node, scopes.graph.source);
  return taken;
}

/* a plain fork takes every flow: no array per token for it */
function allTaken(node: GraphNode): boolean {
  if (node.defaultFlow !== undefined) return false;
  const flows = node.outgoing;
  for (let i = 0; i < flows.length; i++) if (flows[i].condition !== undefined) return false;
  return true;
}
