import type { BpmnProblem } from "../errors.js";
import { MAX_NESTING, type FlowDefinition, type NodeDefinition, type NodeKind, type ProcessDefinition, type ScopeDefinition } from "../model/definition.js";
import { attrByLocalName, bool, children, str, type ModdleElement, type UnresolvedRefs } from "./moddle.js";
import {
  describeElement,
  expression,
  problem,
  refId,
  reject,
  unsupported,
  withoutUndefined,
  type ReadContext,
  type ScopeInfo,
} from "./context.js";
import { readEvent, type NodeBase } from "./events.js";
import { laneAssignments } from "./lanes.js";
import { readLoop } from "./loop.js";
import { expressionText, foldName } from "./text.js";
import type { RejectedElement } from "./validate.js";

export interface MappedProcess {
  process: ProcessDefinition;
  /** elements that exist in the file but were left out; validation must not report them as missing */
  rejected: RejectedElement[];
}

/** Maps the single runnable process of a parsed file; problems go to `problems`. */
export function mapDefinitions(
  definitions: ModdleElement,
  file: string,
  problems: BpmnProblem[],
  unresolved: UnresolvedRefs,
): MappedProcess | undefined {
  const process = pickProcess(definitions, problems);
  if (!process) return undefined;
  const ctx: ReadContext = { problems, unresolved, lanes: laneAssignments(process), rejected: [] };
  const id = str(process, "id") ?? "";
  const root = mapScope(ctx, process, { id, root: true, depth: 0 }, undefined);
  return { process: { id, name: processName(definitions, process), source: file, root }, rejected: ctx.rejected };
}

/* Pools without elements (black-box participants) are documentation; only one pool may run. */
function pickProcess(definitions: ModdleElement, problems: BpmnProblem[]): ModdleElement | undefined {
  const processes = children(definitions, "rootElements").filter((element) => element.$type === "bpmn:Process");
  if (processes.length === 0) {
    problems.push({ elementId: str(definitions, "id") ?? "", message: "the file has no <process>" });
    return undefined;
  }
  const runnable = processes.filter((process) => children(process, "flowElements").length > 0);
  const chosen = runnable[0] ?? processes[0];
  for (const extra of runnable.slice(1)) {
    problems.push({
      elementId: str(extra, "id") ?? "",
      message: `a second process (pool) with elements; adhesive runs one process per file and "${str(chosen, "id")}" is already one`,
    });
  }
  return chosen;
}

function processName(definitions: ModdleElement, process: ModdleElement): string {
  const participant = children(definitions, "rootElements")
    .flatMap((root) => children(root, "participants"))
    .find((candidate) => candidate.processRef === process);
  return foldName(str(process, "name")) || foldName(str(participant, "name")) || (str(process, "id") ?? "");
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

const TASK_KINDS: ReadonlyMap<string, NodeKind> = new Map<string, NodeKind>([
  ["bpmn:Task", "task"],
  ["bpmn:ServiceTask", "task"],
  ["bpmn:SendTask", "task"],
  ["bpmn:ReceiveTask", "task"],
  ["bpmn:ManualTask", "task"],
  ["bpmn:BusinessRuleTask", "task"],
  ["bpmn:UserTask", "userTask"],
  ["bpmn:ScriptTask", "scriptTask"],
]);

const GATEWAY_KINDS: ReadonlyMap<string, NodeKind> = new Map<string, NodeKind>([
  ["bpmn:ExclusiveGateway", "exclusiveGateway"],
  ["bpmn:ParallelGateway", "parallelGateway"],
  ["bpmn:InclusiveGateway", "inclusiveGateway"],
  ["bpmn:ComplexGateway", "complexGateway"],
  ["bpmn:EventBasedGateway", "eventBasedGateway"],
]);

const EVENT_TYPES = new Set([
  "bpmn:StartEvent",
  "bpmn:EndEvent",
  "bpmn:BoundaryEvent",
  "bpmn:IntermediateCatchEvent",
  "bpmn:IntermediateThrowEvent",
]);

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
  if (taskKind) return activity(ctx, element, scope, { ...base, kind: taskKind, script: script(ctx, element, base) });
  if (element.$type === "bpmn:SubProcess") return subProcess(ctx, element, scope, base);
  const gatewayKind = GATEWAY_KINDS.get(element.$type);
  if (gatewayKind) return { ...base, kind: gatewayKind, defaultFlow: refId(ctx, element, "default") };
  if (EVENT_TYPES.has(element.$type)) return readEvent(ctx, element, base, scope);
  return unsupported(ctx, element, scope);
}

function activity(ctx: ReadContext, element: ModdleElement, scope: ScopeInfo, node: NodeDefinition): NodeDefinition | undefined {
  // compensation handlers only run when compensation is thrown, which the engine does not do
  if (bool(element, "isForCompensation", false)) {
    return reject(ctx, element, scope, `${describeElement(element)}: compensation handlers are not supported`);
  }
  return {
    ...node,
    loop: readLoop(ctx, element, node.id),
    defaultFlow: refId(ctx, element, "default"),
    // the builder's `when` condition, written by toBpmnXml() as adhesive:when
    when: expressionText(attrByLocalName(element, "when")),
  };
}

function subProcess(ctx: ReadContext, element: ModdleElement, scope: ScopeInfo, base: NodeBase): NodeDefinition | undefined {
  if (bool(element, "triggeredByEvent", false)) {
    return reject(ctx, element, scope, `${describeElement(element)}: event sub-processes are not supported`);
  }
  if (scope.depth >= MAX_NESTING) {
    return reject(ctx, element, scope, `${describeElement(element)} is nested too deep: more than ${MAX_NESTING} sub-processes inside each other`);
  }
  const children = mapScope(ctx, element, { id: base.id, root: false, depth: scope.depth + 1 }, base.lane);
  return activity(ctx, element, scope, { ...base, kind: "subProcess", children });
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
