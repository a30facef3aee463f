import type { BpmnProblem } from "../errors.js";
import { MAX_NESTING, type CalledProcessDefinition, type FlowDefinition, type NodeDefinition, type NodeKind, type ProcessDefinition, type ScopeDefinition } from "../model/definition.js";
import { attrByLocalName, bool, child, children, str, type ModdleElement, type UnresolvedRefs } from "./moddle.js";
import { describeElement, expression, problem, refId, reject, unsupported, withoutUndefined, type ReadContext, type ScopeInfo } from "./context.js";
import { callData, dataMappings, formFields, taskType } from "./camunda.js";
import { correlationKey, readEvent, type NodeBase } from "./events.js";
import { laneAssignments } from "./lanes.js";
import { readLoop } from "./loop.js";
import { EVENT_ELEMENTS, elementKinds } from "../model/kinds.js";
import { calledElement, messageFlows, poolNode, processName, runnableProcesses } from "./pools.js";
import { expressionText, foldName } from "./text.js";
import type { RejectedElement } from "./validate.js";

export interface MappedProcess {
  process: ProcessDefinition;
  /** elements that exist in the file but were left out; validation must not report them as missing */
  rejected: RejectedElement[];
  /** called elements that no process of the file is: looked for in the other files of its folder */
  missingCalls: Map<string, string[]>;
}

/** Maps the runnable processes of a parsed file, and the processes they call from it; problems go to `problems`. */
export function mapDefinitions(
  definitions: ModdleElement,
  file: string,
  problems: BpmnProblem[],
  unresolved: UnresolvedRefs,
  options: { process?: string } = {},
): MappedProcess | undefined {
  const runnable = runnableProcesses(definitions, options.process, problems);
  if (runnable.length === 0) return undefined;
  const reader = new FileReader(definitions, problems, unresolved);
  const scopes = new Map(runnable.map((process) => [str(process, "id") ?? "", reader.process(process)]));
  const pooled = runnable.length > 1;
  const root: ScopeDefinition = pooled
    ? { nodes: runnable.map((process) => poolNode(definitions, process, scopes.get(str(process, "id") ?? ""))), flows: [] }
    : scopes.values().next().value!;
  const [id, name] = pooled ? collaborationName(definitions, file) : [str(runnable[0], "id") ?? "", processName(definitions, runnable[0])];
  const process: ProcessDefinition = { id, name, source: file, root };
  const flows = messageFlows(definitions, nodesById(root), scopes);
  if (flows.length > 0) process.messageFlows = flows;
  const { called, missing } = reader.calledProcesses(file);
  if (called.length > 0) process.processes = called;
  return { process, rejected: reader.rejected, missingCalls: missing };
}

function collaborationName(definitions: ModdleElement, file: string): [string, string] {
  const collaboration = children(definitions, "rootElements").find((element) => element.$type === "bpmn:Collaboration");
  const id = str(collaboration, "id") ?? str(definitions, "id") ?? "collaboration";
  const name = foldName(str(collaboration, "name")) || foldName(str(definitions, "name")) || file.split(/[\\/]/).pop()!.replace(/\.bpmn$/i, "");
  return [id, name];
}

/** Every node of a scope and of the scopes inside it, by id. */
export function nodesById(root: ScopeDefinition): Map<string, NodeDefinition> {
  const nodes = new Map<string, NodeDefinition>();
  const scopes = [root];
  for (let scope = scopes.pop(); scope !== undefined; scope = scopes.pop()) {
    for (const node of scope.nodes) {
      nodes.set(node.id, node);
      if (node.children) scopes.push(node.children);
    }
  }
  return nodes;
}

/** Reads the processes of one parsed file; collects the call activities' targets as it goes. */
export class FileReader {
  readonly rejected: RejectedElement[] = [];
  private readonly definitions: ModdleElement;
  private readonly problems: BpmnProblem[];
  private readonly unresolved: UnresolvedRefs;
  private readonly globals: Map<string, ModdleElement>;
  private readonly calls = new Map<string, string[]>();
  /** every scope read so far: a call by name is renamed in all of them */
  private readonly roots: ScopeDefinition[] = [];

  constructor(definitions: ModdleElement, problems: BpmnProblem[], unresolved: UnresolvedRefs) {
    this.definitions = definitions;
    this.problems = problems;
    this.unresolved = unresolved;
    this.globals = new Map(children(definitions, "rootElements").map((element) => [str(element, "id") ?? "", element]));
  }

  /** The scope of one process. */
  process(process: ModdleElement): ScopeDefinition {
    const ctx: ReadContext = {
      problems: this.problems,
      unresolved: this.unresolved,
      lanes: laneAssignments(process),
      rejected: this.rejected,
      associations: associations(process),
      globals: this.globals,
      calls: this.calls,
      process,
    };
    const root = mapScope(ctx, process, { id: str(process, "id") ?? "", root: true, depth: 0 }, undefined);
    this.roots.push(root);
    return root;
  }

  /**
   * The processes of this file that call activities call, at any depth
   * (by id, else by name), and the called elements it has no process for.
   */
  calledProcesses(file: string): { called: CalledProcessDefinition[]; missing: Map<string, string[]> } {
    const called: CalledProcessDefinition[] = [];
    const missing = new Map<string, string[]>();
    const done = new Set<string>();
    for (let pending = this.pendingCalls(done); pending.length > 0; pending = this.pendingCalls(done)) {
      for (const key of pending) {
        done.add(key);
        const process = this.processFor(key);
        if (process === undefined) {
          missing.set(key, this.calls.get(key)!);
          continue;
        }
        // a process with nothing drawn in it is a collapsed sub-process exported on its own (Bonita): the call runs as a task
        if (children(process, "flowElements").length === 0) {
          for (const root of this.roots) callsAsTasks(root, key);
          continue;
        }
        const id = str(process, "id") ?? key;
        if (!called.some((entry) => entry.id === id)) {
          called.push({ id, name: processName(this.definitions, process), source: file, root: this.process(process) });
        }
        // a call by name is a call of that id
        if (key !== id) this.renameCall(key, id);
      }
    }
    return { called, missing };
  }

  private pendingCalls(done: Set<string>): string[] {
    return [...this.calls.keys()].filter((key) => !done.has(key));
  }

  private processFor(key: string): ModdleElement | undefined {
    const byId = this.globals.get(key);
    if (byId?.$type === "bpmn:Process") return byId;
    const named = [...this.globals.values()].filter((e) => e.$type === "bpmn:Process" && processName(this.definitions, e) === foldName(key));
    return named.length === 1 ? named[0] : undefined;
  }

  private renameCall(key: string, id: string): void {
    this.calls.set(id, [...(this.calls.get(id) ?? []), ...this.calls.get(key)!]);
    for (const root of this.roots) renameCalls(root, key, id);
  }
}

/* call activities of an empty process are tasks of their name, implemented by the code */
function callsAsTasks(root: ScopeDefinition, key: string): void {
  for (const node of nodesById(root).values()) {
    if (node.calls !== key) continue;
    node.kind = "task";
    delete node.calls;
    delete node.callIn;
    delete node.callOut;
  }
}

/** Call activities calling `from` call `to` (a name resolved to an id, a process from another file). */
export function renameCalls(root: ScopeDefinition, from: string, to: string): void {
  for (const node of nodesById(root).values()) if (node.calls === from) node.calls = to;
}

/* compensate boundary event → its handler, linked by an association in the process or any sub-process */
function associations(process: ModdleElement): Map<string, string> {
  const links = new Map<string, string>();
  const containers = [process];
  for (let container = containers.pop(); container !== undefined; container = containers.pop()) {
    for (const artifact of children(container, "artifacts")) {
      if (artifact.$type !== "bpmn:Association") continue;
      const source = child(artifact, "sourceRef");
      const target = child(artifact, "targetRef");
      if (source?.$type === "bpmn:BoundaryEvent" && target !== undefined && bool(target, "isForCompensation", false)) {
        links.set(str(source, "id") ?? "", str(target, "id") ?? "");
      }
    }
    for (const element of children(container, "flowElements")) if (children(element, "flowElements").length > 0) containers.push(element);
  }
  return links;
}

function mapScope(ctx: ReadContext, container: ModdleElement, scope: ScopeInfo, lane: string | undefined): ScopeDefinition {
  const nodes: NodeDefinition[] = [];
  const flows: FlowDefinition[] = [];
  for (const element of children(container, "flowElements")) {
    if (element.$type === "bpmn:SequenceFlow") {
      flows.push(mapFlow(ctx, element));
      continue;
    }
    const node = mapNode(ctx, element, scope, lane);
    if (node) nodes.push(withoutUndefined(node));
  }
  return { nodes, flows };
}

function mapFlow(ctx: ReadContext, element: ModdleElement): FlowDefinition {
  const id = str(element, "id") ?? "";
  return withoutUndefined({
    id,
    name: foldName(str(element, "name")) || undefined,
    source: refId(ctx, element, "sourceRef") ?? "",
    target: refId(ctx, element, "targetRef") ?? "",
    condition: expression(ctx, element, "conditionExpression", id),
  });
}

/** Data objects and stores only document the process; they do not change how it runs. */
const IGNORED = new Set(["bpmn:DataObject", "bpmn:DataObjectReference", "bpmn:DataStoreReference"]);

const TASK_KINDS = elementKinds("activity");
/* what a call activity calling a global task runs: the task, implemented by its name */
const GLOBAL_TASK_KINDS = elementKinds("activity", "globalTasks");
const GATEWAY_KINDS = elementKinds("gateway");

function mapNode(
  ctx: ReadContext,
  element: ModdleElement,
  scope: ScopeInfo,
  inheritedLane: string | undefined,
): NodeDefinition | undefined {
  if (IGNORED.has(element.$type)) return undefined;
  const id = str(element, "id") ?? "";
  const base: NodeBase = { id, name: foldName(str(element, "name")), lane: ctx.lanes.get(id) ?? inheritedLane };
  const taskKind = TASK_KINDS.get(element.$type);
  if (taskKind) return activity(ctx, element, scope, { ...base, kind: taskKind, script: script(ctx, element, base), ...taskDetails(ctx, element, taskKind) });
  if (element.$type === "bpmn:SubProcess" || element.$type === "bpmn:Transaction") return subProcess(ctx, element, scope, base);
  if (element.$type === "bpmn:CallActivity") return callActivity(ctx, element, scope, base);
  const gatewayKind = GATEWAY_KINDS.get(element.$type);
  if (gatewayKind) return { ...base, kind: gatewayKind, defaultFlow: refId(ctx, element, "default") };
  if (EVENT_ELEMENTS.has(element.$type)) return readEvent(ctx, element, base, scope);
  return unsupported(ctx, element, scope);
}

function taskDetails(ctx: ReadContext, element: ModdleElement, kind: NodeKind): Partial<NodeDefinition> {
  const id = str(element, "id") ?? "";
  return {
    taskType: taskType(element),
    ...dataMappings(ctx, element, id),
    form: kind === "userTask" ? formFields(ctx, element, ctx.process) : undefined,
    // a message() source or adhesive send reaches a receive task by its message's name too
    messageName: kind === "receiveTask" ? foldName(str(child(element, "messageRef"), "name")) || undefined : undefined,
    correlationKey: kind === "receiveTask" ? correlationKey(child(element, "messageRef")) : undefined,
  };
}

function activity(ctx: ReadContext, element: ModdleElement, scope: ScopeInfo, node: NodeDefinition): NodeDefinition | undefined {
  return {
    ...node,
    loop: readLoop(ctx, element, node.id),
    defaultFlow: refId(ctx, element, "default"),
    forCompensation: bool(element, "isForCompensation", false) || undefined,
    // the builder's `when` condition, written by toBpmnXml() as adhesive:when
    when: expressionText(attrByLocalName(element, "when")),
  };
}

function subProcess(ctx: ReadContext, element: ModdleElement, scope: ScopeInfo, base: NodeBase): NodeDefinition | undefined {
  if (scope.depth >= MAX_NESTING) {
    return reject(ctx, element, scope, `${describeElement(element)} is nested too deep: more than ${MAX_NESTING} sub-processes inside each other`);
  }
  const triggered = bool(element, "triggeredByEvent", false);
  // a collapsed sub-process with nothing drawn inside is a step the code implements, like a task
  if (children(element, "flowElements").length === 0 && !triggered && element.$type === "bpmn:SubProcess") {
    return activity(ctx, element, scope, { ...base, kind: "task", ...taskDetails(ctx, element, "task") });
  }
  const inner: ScopeInfo = { id: base.id, root: false, depth: scope.depth + 1, eventSubProcess: triggered };
  const body = mapScope(ctx, element, inner, base.lane);
  if (triggered) return { ...base, kind: "eventSubProcess", children: body };
  const kind: NodeKind = element.$type === "bpmn:Transaction" ? "transaction" : "subProcess";
  return activity(ctx, element, scope, { ...base, kind, children: body, ...dataMappings(ctx, element, base.id) });
}

/**
 * A call activity calls a process of this file or of another file in its
 * folder (resolved later); one that calls a global task, or names nothing,
 * runs as a task implemented by its name.
 */
function callActivity(ctx: ReadContext, element: ModdleElement, scope: ScopeInfo, base: NodeBase): NodeDefinition | undefined {
  const key = calledElement(element);
  const global = key === undefined ? undefined : ctx.globals.get(key);
  const taskKind = key === undefined ? "task" : global === undefined ? undefined : GLOBAL_TASK_KINDS.get(global.$type);
  if (taskKind !== undefined) {
    const name = base.name || foldName(str(global, "name"));
    return activity(ctx, element, scope, { ...base, name, kind: taskKind, ...taskDetails(ctx, element, taskKind) });
  }
  ctx.calls.set(key!, [...(ctx.calls.get(key!) ?? []), base.id]);
  return activity(ctx, element, scope, { ...base, kind: "callActivity", calls: key, ...callData(ctx, element, base.id) });
}

const JAVASCRIPT_FORMATS = new Set([
  "javascript",
  "js",
  "text/javascript",
  "application/javascript",
  "ecmascript",
  "text/ecmascript",
  "application/ecmascript",
]);

function script(ctx: ReadContext, element: ModdleElement, base: NodeBase): NodeDefinition["script"] {
  if (element.$type !== "bpmn:ScriptTask") return undefined;
  const format = str(element, "scriptFormat")?.trim() || "javascript";
  if (!JAVASCRIPT_FORMATS.has(format.toLowerCase())) {
    problem(ctx, base.id, `${describeElement(element)} has scriptFormat "${format}"; only JavaScript scripts are supported`);
  }
  return { format, body: str(element, "script") ?? "" };
}
