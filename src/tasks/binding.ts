import { UnmappedTaskError, type MappingProblem } from "../errors.js";
import type { GraphNode, ProcessGraph } from "../model/graph.js";
import { matchName, nameToPattern } from "./matcher.js";
import type { Declaration, DeclarationKind, Registry } from "./registry.js";

/** The implementation chosen for one process element (or why there is none). */
export interface NodeBinding {
  node: GraphNode;
  declaration: Declaration | undefined;
  /** "missing" or "ambiguous" when the element cannot run */
  problem: "missing" | "ambiguous" | undefined;
  candidates: Declaration[];
}

export interface Rule {
  kinds: readonly DeclarationKind[];
  required: boolean;
  label: string;
}

const TASK: Rule = { kinds: ["task"], required: true, label: "task" };
const USER_TASK: Rule = { kinds: ["userTask"], required: true, label: "user task" };
const GATEWAY: Rule = { kinds: ["task"], required: false, label: "gateway" };
const MESSAGE: Rule = { kinds: ["message", "messageCallback"], required: true, label: "message event" };

export function ruleFor(node: GraphNode): Rule | undefined {
  switch (node.kind) {
    case "task":
      return TASK;
    case "userTask":
      return USER_TASK;
    case "messageStartEvent":
    case "messageBoundaryEvent":
      return MESSAGE;
    case "intermediateCatchEvent":
      return node.messageName !== undefined ? MESSAGE : undefined;
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
    const candidates = candidatesFor(node, registry.ofKind(rule.kinds));
    // a name with placeholders is matched again once rendered, so several candidates are fine until then
    const deferred = node.template.dynamic && candidates.length > 1;
    const problem = candidates.length > 1 && !deferred ? "ambiguous" : candidates.length === 0 && rule.required ? "missing" : undefined;
    bindings.push({ node, declaration: candidates.length === 1 ? candidates[0] : undefined, problem, candidates });
  }
  return bindings;
}

/**
 * Declarations that can run `node`: their patterns match its name as written,
 * or, for a name with placeholders (`Build {loop.value}`), one of their
 * literal names is a possible rendering of it (`Build linux`).
 */
function candidatesFor(node: GraphNode, declarations: readonly Declaration[]): Declaration[] {
  const name = bindingName(node);
  if (!node.template.dynamic) return declarations.filter((d) => matchName(d.patterns, name) !== undefined);
  const rendering = nameToPattern(name);
  const fitting = declarations.filter((d) => matchName(d.patterns, name) !== undefined || d.names.some((literal) => rendering.test(literal)));
  // whether a regular expression can match some rendering is undecidable here: leave it to the rendered name
  return fitting.length > 0 ? fitting : declarations.filter((d) => d.names.length < d.patterns.length);
}

/**
 * The implementation for a rendered task name among the load-time
 * candidates: the only one matching it, else the one whose literal name is
 * exactly it. Throws UnmappedTaskError otherwise.
 */
export function resolveRendered(binding: NodeBinding, taskName: string, file: string): Declaration {
  const { matching, chosen } = renderedMatch(binding, taskName);
  if (chosen) return chosen;
  const { node } = binding;
  const message =
    matching.length === 0
      ? `rendered as "${taskName}", which no implementation matches; add ${suggest(node, taskName)}`
      : `rendered as "${taskName}", which ${matching.length} implementations match: ${matching.map(describeDeclaration).join("; ")}`;
  throw new UnmappedTaskError(file, [{ elementId: node.id, name: node.name, kind: ruleFor(node)?.label ?? "task", message }]);
}

/** The load-time candidates matching a rendered name, and the one that runs it (undefined: missing or ambiguous). */
export function renderedMatch(binding: NodeBinding, taskName: string): { matching: Declaration[]; chosen: Declaration | undefined } {
  const matching = binding.candidates.filter((d) => matchName(d.patterns, taskName) !== undefined);
  const chosen = matching.length > 1 ? matching.filter((d) => d.names.includes(taskName)) : matching;
  return { matching, chosen: chosen.length === 1 ? chosen[0] : undefined };
}

/** Elements match by their name; an unnamed message event by the name of its message. */
export function bindingName(node: GraphNode): string {
  return node.name || node.messageName || "";
}

/** Throws one error naming every element without exactly one implementation. */
export function assertBound(bindings: readonly NodeBinding[], file: string): void {
  const problems: MappingProblem[] = [];
  for (const binding of bindings) {
    if (!binding.problem) continue;
    const rule = ruleFor(binding.node)!;
    problems.push({
      elementId: binding.node.id,
      name: bindingName(binding.node),
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

export function suggest(node: GraphNode, rendered?: string): string {
  const name = JSON.stringify(rendered ?? bindingName(node));
  switch (node.kind) {
    case "userTask":
      return `usertask(${name}, (ctx, ui) => { ... })`;
    case "messageStartEvent":
    case "messageBoundaryEvent":
    case "intermediateCatchEvent":
      return `message(${name}, async function* (ctx) { ... })`;
    default:
      return `task(${name}, async (ctx) => { ... })`;
  }
}
