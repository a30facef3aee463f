import { RoutingError } from "../errors.js";
import type { GraphFlow, GraphNode } from "../model/graph.js";
import { foldName } from "../model/name-template.js";
import type { Core } from "./core.js";
import type { Token } from "./token.js";

/**
 * Exclusive gateways whose flows carry no conditions get their decision
 * from code: the gateway's implementation returns the flow to take, by the
 * flow's name, its target's name or either's id. The returned value is part
 * of the task's outcome (an input of the run: Tasks.ended hands it here), so
 * the decision is the same on every replay. An implementation that returns
 * nothing leaves it to the conditions the gateway has, then its default.
 */
export class Decisions {
  private readonly core: Core;
  private readonly chosen = new WeakMap<Token, unknown>();

  constructor(core: Core) {
    this.core = core;
  }

  /** The gateway's implementation returned `value` (applied with the task's completion). */
  decided(token: Token, value: unknown): void {
    this.chosen.set(token, value);
  }

  /** The token leaves its gateway by the decided flow. */
  route(token: Token): void {
    const value = this.chosen.get(token);
    this.chosen.delete(token);
    let flow: GraphFlow | undefined;
    try {
      flow = value === undefined ? this.byConditions(token) : pick(token.node, value, this.core.graph.source);
    } catch (error) {
      this.core.fail(token, error);
      return;
    }
    this.core.take(token, flow);
  }

  private byConditions(token: Token): GraphFlow {
    const node = token.node;
    let scope: ReturnType<Core["scopeOf"]> | undefined;
    for (const flow of node.outgoing) {
      if (flow.condition !== undefined && flow.condition.evaluate((scope ??= this.core.scopeOf(token)))) return flow;
    }
    if (node.defaultFlow !== undefined) return node.defaultFlow;
    throw new RoutingError(node, this.core.graph.source, `its implementation returned no flow; return one of ${choices(node)}`);
  }
}

function pick(node: GraphNode, value: unknown, file: string): GraphFlow {
  if (typeof value !== "string") throw new RoutingError(node, file, `its implementation returned ${describe(value)}; return the name or id of one of ${choices(node)}`);
  const name = foldName(value);
  const flow =
    node.outgoing.find((f) => f.id === value) ??
    node.outgoing.find((f) => f.name !== undefined && foldName(f.name) === name) ??
    node.outgoing.find((f) => f.target.name === name) ??
    node.outgoing.find((f) => f.target.id === value);
  if (flow === undefined) throw new RoutingError(node, file, `its implementation returned "${value}", which is none of ${choices(node)}`);
  return flow;
}

function choices(node: GraphNode): string {
  return node.outgoing.map((f) => `"${f.name ?? f.target.name ?? f.id}"${f.name === undefined && !f.target.name ? "" : ` (${f.id})`}`).join(", ");
}

function describe(value: unknown): string {
  return typeof value === "object" && value !== null ? `an ${Array.isArray(value) ? "array" : "object"}` : String(value);
}
