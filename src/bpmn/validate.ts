import type { BpmnProblem } from "../errors.js";
import {
  BOUNDARY_KINDS,
  EXECUTABLE_KINDS,
  GATEWAY_KINDS,
  type FlowDefinition,
  type NodeDefinition,
  type NodeKind,
  type ProcessDefinition,
  type ScopeDefinition,
} from "../model/definition.js";

/** An element present in the file but left out of the model (already reported). */
export interface RejectedElement {
  id: string;
  /** id of the process or sub-process that contains it */
  scope: string;
  /** it was meant to start its scope (e.g. a timer start event) */
  start: boolean;
}

interface ScopeEntry {
  /** id of the process or sub-process owning the scope */
  owner: string;
  label: "process" | "sub-process";
  scope: ScopeDefinition;
}

/** Where a node id lives; `kind` is unknown for rejected elements. */
type NodeIndex = Map<string, { scope: string; kind?: NodeKind }>;

const ACTIVITY_KINDS: ReadonlySet<NodeKind> = new Set<NodeKind>([...EXECUTABLE_KINDS, "subProcess"]);
const START_KINDS: ReadonlySet<NodeKind> = new Set<NodeKind>(["startEvent", "messageStartEvent"]);
/** Nodes that start their scope when nothing flows into them (the original adhesive's rule). */
const IMPLICIT_START_KINDS: ReadonlySet<NodeKind> = new Set<NodeKind>([...ACTIVITY_KINDS, ...GATEWAY_KINDS]);
const PATH_END_KINDS: ReadonlySet<NodeKind> = new Set<NodeKind>(["endEvent", ...ACTIVITY_KINDS, ...BOUNDARY_KINDS]);
/** Nodes that are entered by an event, never by a sequence flow. */
const NO_INCOMING_KINDS: ReadonlySet<NodeKind> = new Set<NodeKind>([...START_KINDS, ...BOUNDARY_KINDS]);

/** Structural problems of a process model; an empty list means the engine can run it. */
export function validateDefinition(definition: ProcessDefinition, rejected: RejectedElement[] = []): BpmnProblem[] {
  const scopes = listScopes({ owner: definition.id, label: "process", scope: definition.root });
  const index = indexNodes(scopes, rejected);
  return [
    ...duplicateIds(scopes),
    ...scopes.flatMap((entry) => [
      ...flowEnds(entry, index),
      ...boundaryAttachments(entry, index),
      ...defaultFlows(entry.scope),
      ...scopeStart(entry, rejected),
      ...deadEnds(entry.scope),
      ...ambiguousExclusiveGateways(entry.scope),
      ...eventGatewayTargets(entry.scope),
    ]),
  ];
}

function listScopes(entry: ScopeEntry): ScopeEntry[] {
  const nested = entry.scope.nodes.flatMap((node) =>
    node.children ? listScopes({ owner: node.id, label: "sub-process", scope: node.children }) : [],
  );
  return [entry, ...nested];
}

function indexNodes(scopes: ScopeEntry[], rejected: RejectedElement[]): NodeIndex {
  const index: NodeIndex = new Map();
  for (const element of rejected) index.set(element.id, { scope: element.scope });
  for (const { owner, scope } of scopes) {
    for (const node of scope.nodes) index.set(node.id, { scope: owner, kind: node.kind });
  }
  return index;
}

function describeNode(node: NodeDefinition): string {
  return node.name ? `${node.kind} "${node.name}"` : node.kind;
}

function duplicateIds(scopes: ScopeEntry[]): BpmnProblem[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const { scope } of scopes) {
    for (const { id } of [...scope.nodes, ...scope.flows]) (seen.has(id) ? duplicates : seen).add(id);
  }
  return [...duplicates].map((id) => ({ elementId: id, message: "duplicate id" }));
}

function flowEnds(entry: ScopeEntry, index: NodeIndex): BpmnProblem[] {
  return entry.scope.flows.flatMap((flow) => [
    ...flowEnd(flow, "source", entry.owner, index),
    ...flowEnd(flow, "target", entry.owner, index),
  ]);
}

function flowEnd(flow: FlowDefinition, end: "source" | "target", owner: string, index: NodeIndex): BpmnProblem[] {
  const ref = flow[end];
  const problem = (message: string): BpmnProblem[] => [{ elementId: flow.id, message: `sequence flow ${message}` }];
  if (!ref) return problem(`has no ${end}`);
  const node = index.get(ref);
  if (!node) return problem(`${end} "${ref}" does not exist`);
  if (node.scope !== owner) return problem(`${end} "${ref}" is in another (sub-)process; flows cannot cross a sub-process border`);
  if (end === "target" && node.kind && NO_INCOMING_KINDS.has(node.kind)) return problem(`cannot enter ${node.kind} "${ref}"`);
  if (end === "source" && node.kind === "endEvent") return problem(`cannot leave end event "${ref}"`);
  return [];
}

function boundaryAttachments(entry: ScopeEntry, index: NodeIndex): BpmnProblem[] {
  const boundaries = entry.scope.nodes.filter((node) => BOUNDARY_KINDS.has(node.kind));
  return boundaries.flatMap((node) => {
    const message = attachmentProblem(node.attachedTo, entry.owner, index);
    return message ? [{ elementId: node.id, message: `${describeNode(node)} ${message}` }] : [];
  });
}

function attachmentProblem(attachedTo: string | undefined, owner: string, index: NodeIndex): string | undefined {
  if (!attachedTo) return "is not attached to an activity";
  const target = index.get(attachedTo);
  if (!target) return `is attached to "${attachedTo}", which does not exist`;
  if (target.scope !== owner) return `is attached to "${attachedTo}" in another (sub-)process`;
  if (target.kind && !ACTIVITY_KINDS.has(target.kind)) {
    return `is attached to ${target.kind} "${attachedTo}"; boundary events attach to tasks and sub-processes`;
  }
  return undefined;
}

function defaultFlows(scope: ScopeDefinition): BpmnProblem[] {
  return scope.nodes.flatMap((node) => {
    if (!node.defaultFlow) return [];
    const outgoing = scope.flows.some((flow) => flow.id === node.defaultFlow && flow.source === node.id);
    if (outgoing) return [];
    return [{ elementId: node.id, message: `default flow "${node.defaultFlow}" is not an outgoing sequence flow of ${describeNode(node)}` }];
  });
}

function scopeStart({ owner, label, scope }: ScopeEntry, rejected: RejectedElement[]): BpmnProblem[] {
  if (scope.nodes.length === 0 && !rejected.some((element) => element.scope === owner)) {
    return [{ elementId: owner, message: `the ${label} has no elements` }];
  }
  const targets = new Set(scope.flows.map((flow) => flow.target));
  const startable = (node: NodeDefinition): boolean =>
    START_KINDS.has(node.kind) || (IMPLICIT_START_KINDS.has(node.kind) && !targets.has(node.id));
  if (scope.nodes.some(startable) || rejected.some((element) => element.scope === owner && element.start)) return [];
  return [{ elementId: owner, message: `the ${label} has no start: add a start event, or a task without incoming flows` }];
}

function deadEnds(scope: ScopeDefinition): BpmnProblem[] {
  const sources = new Set(scope.flows.map((flow) => flow.source));
  return scope.nodes
    .filter((node) => !sources.has(node.id) && !PATH_END_KINDS.has(node.kind))
    .map((node) => ({
      elementId: node.id,
      message: `${describeNode(node)} has no outgoing sequence flow; only end events, tasks and sub-processes can end a path`,
    }));
}

/* Two flows without a condition leave the choice to document order, which is almost always a drawing mistake. */
function ambiguousExclusiveGateways(scope: ScopeDefinition): BpmnProblem[] {
  return scope.nodes
    .filter((node) => node.kind === "exclusiveGateway")
    .flatMap((node) => {
      const open = scope.flows.filter((flow) => flow.source === node.id && !flow.condition && flow.id !== node.defaultFlow);
      if (open.length < 2) return [];
      const ids = open.map((flow) => flow.id).join(", ");
      return [{
        elementId: node.id,
        message: `${describeNode(node)} has ${open.length} outgoing flows without a condition (${ids}); add conditions or mark one as the default flow`,
      }];
    });
}

/* An event-based gateway waits for the events after it; anything else there could never be chosen. */
function eventGatewayTargets(scope: ScopeDefinition): BpmnProblem[] {
  const byId = new Map(scope.nodes.map((node) => [node.id, node]));
  return scope.nodes
    .filter((node) => node.kind === "eventBasedGateway")
    .flatMap((node) => {
      const targets = scope.flows.filter((flow) => flow.source === node.id).map((flow) => byId.get(flow.target));
      const wrong = targets.filter((target) => target !== undefined && target.kind !== "intermediateCatchEvent");
      const problems = wrong.map((target) => ({
        elementId: node.id,
        message: `${describeNode(node)} leads to ${describeNode(target!)}; an event-based gateway may only lead to timer or message catch events`,
      }));
      if (targets.length < 2) problems.push({ elementId: node.id, message: `${describeNode(node)} needs at least two events to choose from` });
      return problems;
    });
}
