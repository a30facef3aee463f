import type { BpmnProblem } from "../errors.js";
import type { FlowDefinition, NodeDefinition, NodeKind, ProcessDefinition, ScopeDefinition } from "../model/definition.js";
import { ACTIVITY_KINDS, BOUNDARY_KINDS, END_KINDS, KINDS, kindsWhere, TRIGGERED_START_KINDS } from "../model/kinds.js";
import { describeNode, eventProblems } from "./validate-events.js";

/** An element present in the file but left out of the model (already reported). */
export interface RejectedElement {
  id: string;
  /** id of the process or sub-process that contains it */
  scope: string;
  /** it was meant to start its scope (e.g. a timer start event) */
  start: boolean;
}

export interface ScopeEntry {
  /** id of the process or sub-process owning the scope */
  owner: string;
  label: "process" | "sub-process" | "event sub-process" | "transaction";
  scope: ScopeDefinition;
  /** the scope around this one */
  parent: ScopeEntry | undefined;
}

/** Where a node id lives; `kind` is unknown for rejected elements. */
type NodeIndex = Map<string, { scope: string; kind?: NodeKind }>;

/** Nodes that start their scope when nothing flows into them (the original adhesive's rule). */
const IMPLICIT_START_KINDS = kindsWhere((facts) => facts.startsWhenUnreached);
/** Nodes that are entered by an event, never by a sequence flow. */
const NO_INCOMING_KINDS = kindsWhere((facts) => !facts.incoming);

/** Structural problems of a process model; an empty list means the engine can run it. */
export function validateDefinition(definition: ProcessDefinition, rejected: RejectedElement[] = []): BpmnProblem[] {
  const scopes = scopesOf(definition);
  const index = indexNodes(scopes, rejected);
  return [
    ...duplicateIds(scopes),
    ...scopes.flatMap((entry) => [
      ...flowEnds(entry, index),
      ...boundaryAttachments(entry, index),
      ...defaultFlows(entry.scope),
      ...scopeStart(entry, rejected),
      ...eventProblems(entry),
    ]),
  ];
}

/** Every scope of the process and of the processes it calls, sub-processes included. */
export function scopesOf(definition: ProcessDefinition): ScopeEntry[] {
  const roots = [
    { owner: definition.id, label: "process" as const, scope: definition.root, parent: undefined },
    ...(definition.processes ?? []).map((called) => ({ owner: called.id, label: "process" as const, scope: called.root, parent: undefined })),
  ];
  return roots.flatMap(listScopes);
}

function listScopes(entry: ScopeEntry): ScopeEntry[] {
  const nested = entry.scope.nodes.flatMap((node) =>
    node.children ? listScopes({ owner: node.id, label: KINDS[node.kind].scopeLabel ?? "sub-process", scope: node.children, parent: entry }) : [],
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

/* every element that has the id, so the message says which ones clash */
function duplicateIds(scopes: ScopeEntry[]): BpmnProblem[] {
  const holders = new Map<string, string[]>();
  for (const { scope } of scopes) {
    for (const node of scope.nodes) holders.set(node.id, [...(holders.get(node.id) ?? []), describeNode(node)]);
    for (const flow of scope.flows) holders.set(flow.id, [...(holders.get(flow.id) ?? []), `sequence flow ${flow.source} -> ${flow.target}`]);
  }
  return [...holders].filter(([, named]) => named.length > 1).map(([id, named]) => ({ elementId: id, message: `duplicate id: ${named.join(", ")} ${named.length === 2 ? "both" : "all"} have it` }));
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
  if (end === "source" && node.kind && END_KINDS.has(node.kind)) return problem(`cannot leave end event "${ref}"`);
  if (node.kind === "eventSubProcess") return problem(`cannot ${end === "source" ? "leave" : "enter"} event sub-process "${ref}": an event starts it`);
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
  if (label === "event sub-process") return eventSubProcessStart(owner, scope, rejected);
  const targets = new Set(scope.flows.map((flow) => flow.target));
  const startable = (node: NodeDefinition): boolean =>
    node.kind === "startEvent" ||
    (label === "process" && TRIGGERED_START_KINDS.has(node.kind)) ||
    (IMPLICIT_START_KINDS.has(node.kind) && !targets.has(node.id) && !node.forCompensation);
  if (scope.nodes.some(startable) || rejected.some((element) => element.scope === owner && element.start)) return [];
  return [{ elementId: owner, message: `the ${label} has no start: add a start event, or a task or event without incoming flows` }];
}

function eventSubProcessStart(owner: string, scope: ScopeDefinition, rejected: RejectedElement[]): BpmnProblem[] {
  const starts = scope.nodes.filter((node) => TRIGGERED_START_KINDS.has(node.kind));
  if (starts.length === 1 || rejected.some((element) => element.scope === owner && element.start)) return [];
  const message = starts.length === 0 ? "has no start event with an event definition" : `has ${starts.length} start events; it may have one`;
  return [{ elementId: owner, message: `the event sub-process ${message}` }];
}
