import type { BpmnProblem } from "../errors.js";
import type { MessageFlowDefinition, NodeDefinition, NodeKind, ScopeDefinition } from "./definition.js";
import { COMPLETION, type GraphNode, type Scope } from "./graph.js";
import { ACTIVITY_KINDS, catchesMessage, catchesSignal, isMessageStart, KINDS, START_KINDS, TRIGGERED_START_KINDS, watchesData } from "./kinds.js";

/** Connects each boundary event to the activity it is attached to, in the list its kind is handled by. */
export function attachBoundaries(definitions: NodeDefinition[], local: Map<string, GraphNode>, problems: BpmnProblem[]): void {
  for (const definition of definitions) {
    if (definition.attachedTo === undefined) continue;
    const boundary = local.get(definition.id)!;
    const host = local.get(definition.attachedTo);
    if (!host) {
      problems.push({ elementId: definition.id, message: `boundary event is attached to "${definition.attachedTo}", which is not in the same scope` });
      continue;
    }
    boundary.attachedTo = host;
    // nothing triggers a boundary event without a definition: its host never leaves by it
    if (definition.kind === "boundaryEvent") continue;
    host.boundaries.push(boundary);
    boundaryList(host, definition.kind)?.push(boundary);
    if (definition.kind === "compensateBoundaryEvent") host.compensateBoundary = boundary;
  }
}

function boundaryList(host: GraphNode, kind: NodeKind): GraphNode[] | undefined {
  // a multiple boundary is armed like a signal or conditional one (waits.ts arms its timer too)
  if (KINDS[kind].multiple) return host.watchedBoundaries;
  switch (KINDS[kind].position === "boundary" ? KINDS[kind].triggers[0] : undefined) {
    case "error":
      return host.errorBoundaries;
    case "timer":
      return host.timerBoundaries;
    case "message":
      return host.messageBoundaries;
    case "signal":
    case "conditional":
      return host.watchedBoundaries;
    case "escalation":
      return host.escalationBoundaries;
    case "cancel":
      return host.cancelBoundaries;
    default:
      return undefined;
  }
}

/*
 * A link throw event leads to the link catch event of its name as if a
 * sequence flow joined them, so routing and the join check (which reachable
 * node may still bring a token) need nothing else.
 */
export function linkFlows(scope: Scope, definition: ScopeDefinition): void {
  const catches = new Map<string, GraphNode>();
  definition.nodes.forEach((node, i) => {
    if (node.kind === "linkCatchEvent" && node.linkName) catches.set(node.linkName, scope.nodes[i]);
  });
  let order = definition.flows.length;
  definition.nodes.forEach((node, i) => {
    const target = node.kind === "linkThrowEvent" && node.linkName ? catches.get(node.linkName) : undefined;
    if (target === undefined) return;
    const source = scope.nodes[i];
    source.outgoing.push({ id: `${source.id}->${target.id}`, order: order++, name: node.linkName, source, target, condition: undefined });
    target.incomingCount++;
  });
}

/** Message flows to elements that can receive a message; others (a flow to a plain task) only document the exchange. */
export function linkMessageFlows(flows: readonly MessageFlowDefinition[], byId: ReadonlyMap<string, GraphNode>): void {
  for (const flow of flows) {
    const source = byId.get(flow.source);
    const target = byId.get(flow.target);
    if (source === undefined || target === undefined) continue;
    if (!catchesMessage(target)) continue;
    (source.messageTargets ??= []).push(target);
    target.messageFed = true;
  }
}

/** The events a signal reaches, by name, and the conditional events that watch data. */
export function indexEvents(nodes: readonly GraphNode[]): { signals: Map<string, GraphNode[]>; conditionals: GraphNode[] } {
  const signals = new Map<string, GraphNode[]>();
  const conditionals: GraphNode[] = [];
  for (const node of nodes) {
    if (catchesSignal(node)) signals.set(node.signalName!, [...(signals.get(node.signalName!) ?? []), node]);
    // a process-level conditional start is evaluated once, when the run starts
    if (watchesData(node) && !(START_KINDS.has(node.kind) && node.scope.process)) conditionals.push(node);
  }
  return { signals, conditionals };
}

/** What completions.ts does when a token completes at the node (COMPLETION bits); 0 for most nodes. */
export function completionWork(node: GraphNode, hasConditionals: boolean): number {
  let work = 0;
  if (node.messageTargets !== undefined) work |= COMPLETION.send;
  // inputs are local: the completion drops them again
  if (node.outputs !== undefined || node.inputs !== undefined) work |= COMPLETION.outputs;
  if (node.compensateBoundary !== undefined) work |= COMPLETION.compensable;
  // a compensation event sub-process is the handler of its completed sub-process (compensation.ts)
  if (node.forCompensation || node.trigger?.kind === "compensateStartEvent") work |= COMPLETION.handler;
  if (node.decides) work |= COMPLETION.decision;
  if (hasConditionals && ACTIVITY_KINDS.has(node.kind)) work |= COMPLETION.conditions;
  return work;
}

/** Where tokens start when an instance of the scope starts, and which start events wait for something. */
export function collectStarts(scope: Scope): void {
  for (const node of scope.nodes) {
    if (TRIGGERED_START_KINDS.has(node.kind)) {
      if (!scope.process) continue;
      // a multiple start event with a message is both: messages start instances, and so do its timer, signal or condition
      if (isMessageStart(node)) scope.messageStarts.push(node);
      if (node.kind !== "messageStartEvent") scope.triggeredStarts.push(node);
    } else if (node.incomingCount === 0 && !node.forCompensation && (node.kind === "startEvent" || KINDS[node.kind].startsWhenUnreached)) {
      scope.starts.push(node);
    }
  }
}
