import type { BpmnProblem } from "../errors.js";
import type { NodeDefinition, ScopeDefinition } from "../model/definition.js";
import { ACTIVITY_KINDS, WAIT_KINDS } from "../model/kinds.js";
import type { ScopeEntry } from "./validate.js";

/** What events need besides flows: a link's partner, a compensation handler, a transaction around a cancel. */
export function eventProblems(entry: ScopeEntry): BpmnProblem[] {
  return [
    ...links(entry.scope),
    ...compensation(entry),
    ...cancels(entry),
    ...eventGatewayTargets(entry.scope),
  ];
}

export function describeNode(node: NodeDefinition): string {
  return node.name ? `${node.kind} "${node.name}"` : node.kind;
}

/* A link throw goes to the one link catch of its name in the same scope. */
function links(scope: ScopeDefinition): BpmnProblem[] {
  const catches = new Map<string, NodeDefinition[]>();
  for (const node of scope.nodes) if (node.kind === "linkCatchEvent" && node.linkName) catches.set(node.linkName, [...(catches.get(node.linkName) ?? []), node]);
  const problems: BpmnProblem[] = [];
  for (const [name, nodes] of catches) {
    if (nodes.length > 1) problems.push({ elementId: nodes[1].id, message: `${nodes.length} link catch events are named "${name}" in one scope; a link throw could not choose` });
  }
  for (const node of scope.nodes) {
    if (node.kind !== "linkThrowEvent" || !node.linkName || catches.has(node.linkName)) continue;
    problems.push({ elementId: node.id, message: `${describeNode(node)} throws link "${node.linkName}", but no link catch event of that name is in the same scope` });
  }
  return problems;
}

function compensation(entry: ScopeEntry): BpmnProblem[] {
  const scope = entry.scope;
  const byId = new Map(scope.nodes.map((node) => [node.id, node]));
  const flowEnds = new Set(scope.flows.flatMap((flow) => [flow.source, flow.target]));
  return scope.nodes.flatMap((node): BpmnProblem[] => {
    if (node.forCompensation && flowEnds.has(node.id)) {
      return [{ elementId: node.id, message: `${describeNode(node)} is a compensation handler; it runs only when compensation is thrown and cannot have sequence flows` }];
    }
    if (node.kind === "compensateBoundaryEvent") {
      const handler = node.handler === undefined ? undefined : byId.get(node.handler);
      if (handler !== undefined && ACTIVITY_KINDS.has(handler.kind)) return [];
      return [{ elementId: node.id, message: `${describeNode(node)} has no compensation handler: link an activity marked "for compensation" to it with an association` }];
    }
    if ((node.kind === "compensateThrowEvent" || node.kind === "compensateEndEvent") && node.compensates !== undefined) {
      const target = compensable(entry, node.compensates);
      if (target !== undefined && ACTIVITY_KINDS.has(target.kind)) return [];
      return [{ elementId: node.id, message: `${describeNode(node)} compensates "${node.compensates}", which is not an activity of the same scope (or, from an event sub-process, of the scope around it)` }];
    }
    return [];
  });
}

/* what a compensate throw may name: an activity of its scope; in an event sub-process, one of the scope it belongs to (Camunda) */
function compensable(entry: ScopeEntry, id: string): NodeDefinition | undefined {
  for (let current: ScopeEntry | undefined = entry; current !== undefined; current = current.parent) {
    const found = current.scope.nodes.find((node) => node.id === id);
    if (found !== undefined || current.label !== "event sub-process") return found;
  }
  return undefined;
}

/* Cancel events belong to transactions: the end event inside one, the boundary event on one. */
function cancels(entry: ScopeEntry): BpmnProblem[] {
  const byId = new Map(entry.scope.nodes.map((node) => [node.id, node]));
  return entry.scope.nodes.flatMap((node): BpmnProblem[] => {
    if (node.kind === "cancelEndEvent" && !insideTransaction(entry)) {
      return [{ elementId: node.id, message: `${describeNode(node)} is not inside a transaction; a cancel end event cancels the transaction around it` }];
    }
    if (node.kind === "cancelBoundaryEvent" && byId.get(node.attachedTo ?? "")?.kind !== "transaction") {
      return [{ elementId: node.id, message: `${describeNode(node)} is not attached to a transaction` }];
    }
    return [];
  });
}

function insideTransaction(entry: ScopeEntry | undefined): boolean {
  for (let current = entry; current !== undefined; current = current.parent) {
    if (current.label === "transaction") return true;
    // a cancel in an event sub-process of a transaction still cancels it; a sub-process boundary does not pass it on
    if (current.label !== "event sub-process") return false;
  }
  return false;
}

/* An event-based gateway waits for the events after it; anything else there could never be chosen. */
function eventGatewayTargets(scope: ScopeDefinition): BpmnProblem[] {
  const byId = new Map(scope.nodes.map((node) => [node.id, node]));
  return scope.nodes
    .filter((node) => node.kind === "eventBasedGateway")
    .flatMap((node) => {
      const targets = scope.flows.filter((flow) => flow.source === node.id).map((flow) => byId.get(flow.target));
      const wrong = targets.filter((target) => target !== undefined && !WAIT_KINDS.has(target.kind));
      const problems = wrong.map((target) => ({
        elementId: node.id,
        message: `${describeNode(node)} leads to ${describeNode(target!)}; an event-based gateway may only lead to catch events and receive tasks`,
      }));
      // without any it ends its path (a lint warning: warnings.ts)
      if (targets.length === 1) problems.push({ elementId: node.id, message: `${describeNode(node)} needs at least two events to choose from` });
      return problems;
    });
}
