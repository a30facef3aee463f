import { InvalidBpmnError, ExpressionError, describe, type BpmnProblem } from "../errors.js";
import {
  MAX_NESTING,
  type CallDataDefinition,
  type FlowDefinition,
  type LoopDefinition,
  type MappingDefinition,
  type NodeDefinition,
  type ProcessDefinition,
  type ScopeDefinition,
  type TimerDefinition,
} from "./definition.js";
import { compileExpression, compileScriptTask, type CompiledExpression } from "./expression.js";
import type { CompiledCallData, CompiledLoop, CompiledMapping, GraphFlow, GraphNode, ProcessGraph, Scope } from "./graph.js";
import { KINDS, TRIGGERED_START_KINDS } from "./kinds.js";
import { NameTemplate } from "./name-template.js";
import { computeJoins } from "./joins.js";
import { attachBoundaries, collectStarts, completionWork, indexEvents, linkFlows, linkMessageFlows } from "./compile-events.js";
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
  const state: CompileState = { problems: [], nodes: [], byId: new Map(), calls: [] };
  const root = compileScope(definition.root, undefined, state, 0, true);
  const processes = new Map<string, Scope>();
  for (const called of definition.processes ?? []) {
    const scope = compileScope(called.root, undefined, state, 0, true);
    scope.called = { id: called.id, name: called.name };
    processes.set(called.id, scope);
  }
  for (const [node, id] of state.calls) {
    node.called = processes.get(id);
    if (node.called === undefined) state.problems.push({ elementId: node.id, message: `call activity calls "${id}", which is not a process that was read` });
  }
  linkMessageFlows(definition.messageFlows ?? [], state.byId);
  const { signals, conditionals } = indexEvents(state.nodes);
  for (const node of state.nodes) node.onComplete = completionWork(node, conditionals.length > 0);
  if (state.problems.length > 0) throw new InvalidBpmnError(definition.source, state.problems);
  const callable = state.nodes.some((node) => node.calledExpression !== undefined) ? callableProcesses(definition, processes) : undefined;
  return { id: definition.id, name: definition.name, source: definition.source, root, nodes: state.nodes, byId: state.byId, processes, callable, signals, conditionals };
}

/* what a calledElement expression's value may name: a process's id, its id in its own file, its name */
function callableProcesses(definition: ProcessDefinition, processes: ReadonlyMap<string, Scope>): Map<string, Scope | null> {
  const callable = new Map<string, Scope | null>();
  const add = (key: string, scope: Scope): void => {
    if (key === "") return;
    const known = callable.get(key);
    callable.set(key, known === undefined || known === scope ? scope : null);
  };
  for (const called of definition.processes ?? []) {
    const scope = processes.get(called.id)!;
    add(called.id, scope);
    add(called.id.slice(called.id.indexOf("#") + 1), scope);
    add(called.name, scope);
  }
  return callable;
}

interface CompileState {
  problems: BpmnProblem[];
  nodes: GraphNode[];
  byId: Map<string, GraphNode>;
  /** call activities and the process id each calls, resolved once every process is compiled */
  calls: Array<[GraphNode, string]>;
}

function compileScope(definition: ScopeDefinition, owner: GraphNode | undefined, state: CompileState, depth: number, process: boolean): Scope {
  const scope: Scope = { nodes: [], starts: [], messageStarts: [], owner, hasJoins: false, process, eventSubProcesses: [], triggeredStarts: [], called: undefined };
  for (const nodeDefinition of definition.nodes) {
    const node = createNode(nodeDefinition, scope, state);
    scope.nodes.push(node);
    state.nodes.push(node);
    state.byId.set(node.id, node);
  }
  const local = new Map(scope.nodes.map((n) => [n.id, n]));
  definition.flows.forEach((flow, order) => addFlow(flow, order, local, state));
  linkFlows(scope, definition);
  attachBoundaries(definition.nodes, local, state.problems);
  for (let i = 0; i < definition.nodes.length; i++) {
    finishNode(definition.nodes[i], scope.nodes[i], local, state, depth);
  }
  collectStarts(scope);
  if (scope.starts.length === 0 && scope.messageStarts.length === 0 && scope.triggeredStarts.length === 0 && owner?.kind !== "eventSubProcess") {
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
    boundaries: [],
    errorBoundaries: [],
    timerBoundaries: [],
    messageBoundaries: [],
    watchedBoundaries: [],
    escalationBoundaries: [],
    cancelBoundaries: [],
    compensateBoundary: undefined,
    attachedTo: undefined,
    interrupting: definition.interrupting ?? true,
    timer: definition.timer,
    schedule: undefined,
    errorCode: definition.errorCode,
    messageName: definition.messageName,
    correlationKey: definition.correlationKey,
    signalName: definition.signalName,
    escalationCode: definition.escalationCode,
    condition: undefined,
    trigger: undefined,
    called: undefined,
    calledExpression: undefined,
    callIn: undefined,
    callOut: undefined,
    inputs: undefined,
    outputs: undefined,
    onlyOutputs: definition.onlyOutputs === true && definition.outputs !== undefined,
    handler: undefined,
    compensates: undefined,
    forCompensation: definition.forCompensation ?? false,
    taskType: definition.taskType,
    form: definition.form,
    messageTargets: undefined,
    messageFed: false,
    decides: false,
    onComplete: 0,
    join: KINDS[definition.kind].join,
    ancestors: undefined,
  };
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

function finishNode(definition: NodeDefinition, node: GraphNode, local: Map<string, GraphNode>, state: CompileState, depth: number): void {
  defaultFlow(definition, node, state);
  if (definition.loop) node.loop = compileLoop(definition.loop, node.id, state);
  // a timer without a value gets its schedule from the code (timer()), per run
  if (definition.timer && definition.timer.value !== "") node.schedule = compileSchedule(definition.timer, node.id, state);
  node.when = compileOptional(definition.when, node.id, state);
  node.condition = compileOptional(definition.condition, node.id, state);
  if (definition.script) node.script = compileGuarded(() => compileScriptTask(definition.script!, node.id), state);
  // the activity must keep the data around it when only its outputs leave it, even without inputs
  node.inputs = compileMappings(definition.inputs, node.id, state) ?? (node.onlyOutputs ? [] : undefined);
  node.outputs = compileMappings(definition.outputs, node.id, state);
  node.callIn = compileCallData(definition.callIn, node.id, state);
  node.callOut = compileCallData(definition.callOut, node.id, state);
  node.handler = definition.handler === undefined ? undefined : local.get(definition.handler);
  // from an event sub-process, an activity of the scope around it (compiled before it; ids are unique in a file)
  node.compensates = definition.compensates === undefined ? undefined : (local.get(definition.compensates) ?? state.byId.get(definition.compensates));
  if (definition.calls !== undefined) state.calls.push([node, definition.calls]);
  node.calledExpression = compileOptional(definition.callsExpression, node.id, state);
  if (definition.children === undefined) return;
  // built processes do not pass through the reader, which refuses these first
  if (depth >= MAX_NESTING) state.problems.push({ elementId: node.id, message: `sub-process nested too deep: more than ${MAX_NESTING} sub-processes inside each other` });
  else node.children = compileScope(definition.children, node, state, depth + 1, node.kind === "pool");
  if (node.kind === "eventSubProcess") {
    node.trigger = node.children?.nodes.find((child) => TRIGGERED_START_KINDS.has(child.kind));
    node.scope.eventSubProcesses.push(node);
  }
}

/*
 * A flow without a condition holds (BPMN §13.4.2: the first flow in document
 * order that holds is taken, the default only when none does). An exclusive
 * gateway with two or more such flows beside its default is a descriptive
 * model: the decision is the code's (the gateway's implementation returns
 * the flow to take).
 */
function defaultFlow(definition: NodeDefinition, node: GraphNode, state: CompileState): void {
  if (definition.defaultFlow !== undefined) {
    node.defaultFlow = node.outgoing.find((f) => f.id === definition.defaultFlow);
    if (!node.defaultFlow) {
      state.problems.push({ elementId: node.id, message: `default flow "${definition.defaultFlow}" is not an outgoing flow of this element` });
    }
  }
  if (node.kind !== "exclusiveGateway") return;
  const open = node.outgoing.filter((f) => f.condition === undefined && f !== node.defaultFlow);
  if (open.length >= 2) node.decides = true;
}

function compileSchedule(timer: TimerDefinition, elementId: string, state: CompileState): TimerSchedule | undefined {
  try {
    return compileTimer(timer, elementId);
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
    outputCollection: definition.outputCollection,
    outputElement: compileOptional(definition.outputElement, elementId, state),
    sequential: definition.sequential,
    // a marker drawn without a condition loops as the code's `loop` option says: adhesive's loop, tested first
    testBefore: definition.expression === undefined || (definition.testBefore ?? true),
    maximum: definition.maximum,
    text: (definition.expression ?? definition.collection ?? definition.cardinality ?? "").trim(),
  };
}

function compileMappings(mappings: MappingDefinition[] | undefined, elementId: string, state: CompileState): CompiledMapping[] | undefined {
  if (mappings === undefined || mappings.length === 0) return undefined;
  return mappings.flatMap((mapping) => {
    const source = compileOptional(mapping.source, elementId, state);
    return source === undefined ? [] : [{ target: mapping.target, source }];
  });
}

function compileCallData(data: CallDataDefinition | undefined, elementId: string, state: CompileState): CompiledCallData | undefined {
  if (data === undefined) return undefined;
  return { all: data.all, mappings: compileMappings(data.mappings, elementId, state) ?? [], locals: data.locals };
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
