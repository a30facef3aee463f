import { UnmappedTaskError, type MappingProblem } from "../errors.js";
import type { GraphNode, ProcessGraph } from "../model/graph.js";
import { matchName } from "./matcher.js";
import type { Declaration, DeclarationKind, Registry } from "./registry.js";

/** The implementation chosen for one process element (or why there is none). */
export interface NodeBinding {
  node: GraphNode;
  declaration: Declaration | undefined;
  /** "missing" or "ambiguous" when the element cannot run */
  problem: "missing" | "ambiguous" | undefined;
  candidates: Declaration[];
}

interface Rule {
  kinds: readonly DeclarationKind[];
  required: boolean;
  label: string;
}

const TASK: Rule = { kinds: ["task"], required: true, label: "task" };
const USER_TASK: Rule = { kinds: ["userTask"], required: true, label: "user task" };
const GATEWAY: Rule = { kinds: ["task"], required: false, label: "gateway" };
const MESSAGE: Rule = { kinds: ["message", "messageCallback"], required: true, label: "message event" };

function ruleFor(node: GraphNode): Rule | undefined {
  switch (node.kind) {
    case "task":
      return TASK;
    case "userTask":
      return USER_TASK;
    case "messageStartEvent":
      return MESSAGE;
    case "complexGateway":
    case "exclusiveGateway":
    case "inclusiveGateway":
    case "parallelGateway":
    case "eventBasedGateway":
      return node.name ? GATEWAY : undefined;
    default:
      return undefined;
  }
}

/** Matches every element that runs user code against the declarations (by its raw, un-interpolated name). */
export function bindNodes(graph: ProcessGraph, registry: Registry): NodeBinding[] {
  const bindings: NodeBinding[] = [];
  for (const node of graph.nodes) {
    const rule = ruleFor(node);
    if (!rule) continue;
    const candidates = registry.ofKind(rule.kinds).filter((d) => matchName(d.patterns, node.name) !== undefined);
    const problem = candidates.length > 1 ? "ambiguous" : candidates.length === 0 && rule.required ? "missing" : undefined;
    bindings.push({ node, declaration: candidates.length === 1 ? candidates[0] : undefined, problem, candidates });
  }
  return bindings;
}

/** Throws one error naming every element without exactly one implementation. */
export function assertBound(bindings: readonly NodeBinding[], file: string): void {
  const problems: MappingProblem[] = [];
  for (const binding of bindings) {
    if (!binding.problem) continue;
    const rule = ruleFor(binding.node)!;
    problems.push({
      elementId: binding.node.id,
      name: binding.node.name,
      kind: rule.label,
      message:
        binding.problem === "missing"
          ? `no implementation matches; add ${suggest(binding.node)}`
          : `matched by ${binding.candidates.length} implementations: ${binding.candidates.map(describeDeclaration).join("; ")}`,
    });
  }
  if (problems.length > 0) throw new UnmappedTaskError(file, problems);
}

export function describeDeclaration(declaration: Declaration): string {
  return `${declaration.kind}(${declaration.label})${declaration.origin ? ` at ${declaration.origin}` : ""}`;
}

function suggest(node: GraphNode): string {
  const name = JSON.stringify(node.name);
  switch (node.kind) {
    case "userTask":
      return `usertask(${name}, (ctx, ui) => { ... })`;
    case "messageStartEvent":
      return `message(${name}, async function* (ctx) { ... })`;
    default:
      return `task(${name}, async (ctx) => { ... })`;
  }
}
