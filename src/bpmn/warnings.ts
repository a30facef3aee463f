import type { BpmnProblem } from "../errors.js";
import type { NodeDefinition, ProcessDefinition, ScopeDefinition } from "../model/definition.js";
import { KINDS } from "../model/kinds.js";
import { describeNode } from "./validate-events.js";
import { scopesOf } from "./validate.js";

/**
 * What runs, as bpmn-engine runs it, but is most likely a drawing mistake:
 * `adhesive lint` and `adhesive verify` print these as warnings (BPMN itself
 * forbids some of them). A gateway or intermediate event without an
 * outgoing flow ends its path; an intermediate event without an incoming
 * flow starts its scope, as a start event would; a boundary event without
 * an event definition never triggers.
 */
export function lintWarnings(definition: ProcessDefinition): BpmnProblem[] {
  return scopesOf(definition).flatMap(({ scope }) => {
    const ends = flowEnds(scope);
    return scope.nodes.flatMap((node) => nodeWarnings(node, ends));
  });
}

function flowEnds(scope: ScopeDefinition): { sources: Set<string>; targets: Set<string> } {
  return { sources: new Set(scope.flows.map((flow) => flow.source)), targets: new Set(scope.flows.map((flow) => flow.target)) };
}

function nodeWarnings(node: NodeDefinition, { sources, targets }: ReturnType<typeof flowEnds>): BpmnProblem[] {
  const facts = KINDS[node.kind];
  const warn = (message: string): BpmnProblem[] => [{ elementId: node.id, message: `${describeNode(node)} ${message}` }];
  if (node.kind === "boundaryEvent") return warn("has no event definition: nothing triggers it, so the path after it never runs");
  const warnings: BpmnProblem[] = [];
  if (facts.mayEndPath === false && !sources.has(node.id)) {
    warnings.push(...warn("has no outgoing sequence flow: a token that reaches it ends its path there; draw an end event after it"));
  }
  if (facts.family === "event" && facts.startsWhenUnreached && !targets.has(node.id)) {
    warnings.push(...warn("has no incoming sequence flow: it starts its scope as a start event would; draw a start event before it"));
  }
  return warnings;
}
