import { BpmnError, ExpressionError, describe, type BpmnProblem } from "../errors.js";
import { MAX_NESTING, type FlowDefinition, type LoopDefinition, type NodeDefinition, type ProcessDefinition, type ScopeDefinition, type TimerDefinition } from "./definition.js";
import { compileExpression, compileScript, type CompiledExpression } from "./expression.js";
import type { CompiledLoop, GraphFlow, GraphNode, JoinMode, ProcessGraph, Scope } from "./graph.js";
import { NameTemplate } from "./name-template.js";
import { computeJoins } from "./joins.js";
import { compileTimer, type TimerSchedule } from "./timer.js";

/* The engine never changes a graph, so each definition is compiled once however often it is loaded and run. */
const graphs = new WeakMap<ProcessDefinition, ProcessGraph>();

/** compileProcess, once per definition. */
export function compiledProcess(definition: ProcessDefinition): ProcessGraph {
  let graph = graphs.get(definition);
  if (graph === undefined) graphs.set(definition, (graph = compileProcess(definition)));
  return graph;
}

/** Compiles a process definition into the engine graph; every problem is reported at once. */
export function compileProcess(definition: ProcessDefinition): ProcessGraph {
  const state: CompileState = { problems: [], nodes: [], byId: new Map() };
  const root = compileScope(definition.root, undefined, state, 0);
  if (state.problems.length > 0) throw new BpmnError(definition.source, state.problems);
  return { id: definition.id, name: definition.name, source: definition.source, root, nodes: state.nodes, byId: state.byId };
}

interface CompileState {
  problems: BpmnProblem[];
  nodes: GraphNode[];
  byId: Map<string, GraphNode>;
}

function compileScope(definition: ScopeDefinition, owner: GraphNode | undefined, state: CompileState, depth: number): Scope {
  const scope: Scope = { nodes: [], starts: [], messageStarts: [], owner, hasJoins: false };
  for (const nodeDefinition of definition.nodes) {
    const node = createNode(nodeDefinition, scope, state);
    scope.nodes.push(node);
    state.nodes.push(node);
    state.byId.set(node.id, node);
  }
  const local = new Map(scope.nodes.map((n) => [n.id, n]));
  definition.flows.forEach((flow, order) => addFlow(flow, order, local, state));
  attachBoundaries(definition.nodes, local, state);
  for (let i = 0; i < definition.nodes.length; i++) {
    finishNode(definition.nodes[i], scope.nodes[i], state, depth);
  }
  collectStarts(scope);
  if (scope.starts.length === 0 && scope.messageStarts.length === 0) {
    state.problems.push({ elementId: owner?.id ?? "", message: "the process has no start event and no task without incoming flows" });
  }
  computeJoins(scope);
  return scope;
}

function createNode(definition: NodeDefinition, scope: Scope, state: CompileState): GraphNode {
  return {
    index: state.nodes.length,
    local: scope.nodes.length,
    id: definition.id,
    name: definition.name,
    kind: definition.kind,
    scope,
    template: new NameTemplate(definition.name),
    lane: definition.lane,
    laneTemplate: definition.lane !== undefined ? new NameTemplate(definition.lane) : undefined,
    outgoing: [],
    incomingCount: 0,
    defaultFlow: undefined,
    loop: undefined,
    when: undefined,
    script: undefined,
    children: undefined,
    errorBoundaries: [],
    timerBoundaries: [],
    messageBoundaries: [],
    attachedTo: undefined,
    interrupting: definition.interrupting ?? true,
    timer: definition.timer,
    schedule: undefined,
    errorCode: definition.errorCode,
    messageName: definition.messageName,
    join: joinMode(definition),
    ancestors: undefined,
  };
}

/*
 * Parallel and inclusive gateways always synchronise; activities (and the
 * complex gateway, which adhesive runs like a task) only in "wait tasks"
 * mode; exclusive gateways and events pass every token through.
 */
function joinMode(definition: NodeDefinition): JoinMode {
  switch (definition.kind) {
    case "parallelGateway":
    case "inclusiveGateway":
      return "always";
    case "task":
    case "userTask":
    case "scriptTask":
    case "subProcess":
    case "complexGateway":
      return "waitTasks";
    default:
      return "never";
  }
}

function addFlow(definition: FlowDefinition, order: number, local: Map<string, GraphNode>, state: CompileState): void {
  const source = local.get(definition.source);
  const target = local.get(definition.target);
  if (!source || !target) {
    const missing = !source ? definition.source : definition.target;
    state.problems.push({ elementId: definition.id, message: `sequence flow references "${missing}", which is not in the same scope` });
    return;
  }
  const flow: GraphFlow = {
    id: definition.id,
    order,
    name: definition.name,
    source,
    target,
    condition: compileOptional(definition.condition, definition.id, state),
  };
  source.outgoing.push(flow);
  target.incomingCount++;
}

function attachBoundaries(definitions: NodeDefinition[], local: Map<string, GraphNode>, state: CompileState): void {
  for (const definition of definitions) {
    if (definition.attachedTo === undefined) continue;
    const boundary = local.get(definition.id)!;
    const host = local.get(definition.attachedTo);
    if (!host) {
      state.problems.push({ elementId: definition.id, message: `boundary event is attached to "${definition.attachedTo}", which is not in the same scope` });
      continue;
    }
    boundary.attachedTo = host;
    if (definition.kind === "errorBoundaryEvent") host.errorBoundaries.push(boundary);
    else if (definition.kind === "timerBoundaryEvent") host.timerBoundaries.push(boundary);
    else if (definition.kind === "messageBoundaryEvent") host.messageBoundaries.push(boundary);
  }
}

function finishNode(definition: NodeDefinition, node: GraphNode, state: CompileState, depth: number): void {
  if (definition.defaultFlow !== undefined) {
    node.defaultFlow = node.outgoing.find((f) => f.id === definition.defaultFlow);
    if (!node.defaultFlow) {
      state.problems.push({ elementId: node.id, message: `default flow "${definition.defaultFlow}" is not an outgoing flow of this element` });
    }
  } else if (node.kind === "exclusiveGateway") {
    // modelers without a `default` attribute (Yaoqiang) mark the default by leaving it unconditioned
    node.defaultFlow = node.outgoing.find((f) => f.condition === undefined);
  }
  if (definition.loop) node.loop = compileLoop(definition.loop, node.id, state);
  if (definition.timer) node.schedule = compileSchedule(definition.timer, node.id, state);
  node.when = compileOptional(definition.when, node.id, state);
  if (definition.script) node.script = compileGuarded(() => compileScript(definition.script!.body, node.id), state);
  if (definition.children === undefined) return;
  // built processes do not pass through the reader, which refuses these first
  if (depth >= MAX_NESTING) state.problems.push({ elementId: node.id, message: `sub-process nested too deep: more than ${MAX_NESTING} sub-processes inside each other` });
  else node.children = compileScope(definition.children, node, state, depth + 1);
}

function compileSchedule(timer: TimerDefinition, elementId: string, state: CompileState): TimerSchedule | undefined {
  try {
    return compileTimer(timer);
  } catch (error) {
    state.problems.push({ elementId, message: `timer ${timer.kind} ${describe(error)}` });
    return undefined;
  }
}

function compileLoop(definition: LoopDefinition, elementId: string, state: CompileState): CompiledLoop {
  return {
    expression: compileOptional(definition.expression, elementId, state),
    cardinality: compileOptional(definition.cardinality, elementId, state),
    collection: compileOptional(definition.collection, elementId, state),
    elementVariable: definition.elementVariable,
    completionCondition: compileOptional(definition.completionCondition, elementId, state),
    sequential: definition.sequential,
    text: (definition.expression ?? definition.collection ?? definition.cardinality ?? "").trim(),
  };
}

function compileOptional(text: string | undefined, elementId: string, state: CompileState): CompiledExpression | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  return compileGuarded(() => compileExpression(text, elementId), state);
}

function compileGuarded(compile: () => CompiledExpression, state: CompileState): CompiledExpression | undefined {
  try {
    return compile();
  } catch (error) {
    const elementId = error instanceof ExpressionError ? error.elementId : "";
    state.problems.push({ elementId, message: describe(error) });
    return undefined;
  }
}

function collectStarts(scope: Scope): void {
  for (const node of scope.nodes) {
    if (node.kind === "messageStartEvent") scope.messageStarts.push(node);
    else if (node.incomingCount === 0 && node.attachedTo === undefined && isStartable(node)) scope.starts.push(node);
  }
}

function isStartable(node: GraphNode): boolean {
  return node.kind !== "endEvent" && node.kind !== "intermediateCatchEvent";
}
