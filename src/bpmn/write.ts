import { BpmnModdle, type BpmnModdleInstance } from "bpmn-moddle";
import camundaDescriptor from "camunda-bpmn-moddle/resources/camunda.json" with { type: "json" };
import { layoutProcess } from "bpmn-auto-layout";
import type { LoopDefinition, NodeDefinition, NodeKind, ProcessDefinition, ScopeDefinition, TimerDefinition } from "../model/definition.js";

/** Namespace of adhesive's own attributes (the builder's `when`), which no BPMN element has. */
export const ADHESIVE_NS = "https://adhesive.dev/schema/bpmn/1.0";

type Element = Record<string, unknown> & { $attrs?: Record<string, string> };

const TYPES: Partial<Record<NodeKind, string>> = {
  startEvent: "bpmn:StartEvent",
  messageStartEvent: "bpmn:StartEvent",
  endEvent: "bpmn:EndEvent",
  task: "bpmn:Task",
  userTask: "bpmn:UserTask",
  scriptTask: "bpmn:ScriptTask",
  subProcess: "bpmn:SubProcess",
  exclusiveGateway: "bpmn:ExclusiveGateway",
  parallelGateway: "bpmn:ParallelGateway",
  inclusiveGateway: "bpmn:InclusiveGateway",
  complexGateway: "bpmn:ComplexGateway",
  eventBasedGateway: "bpmn:EventBasedGateway",
  errorBoundaryEvent: "bpmn:BoundaryEvent",
  timerBoundaryEvent: "bpmn:BoundaryEvent",
  messageBoundaryEvent: "bpmn:BoundaryEvent",
  intermediateCatchEvent: "bpmn:IntermediateCatchEvent",
  intermediateThrowEvent: "bpmn:IntermediateThrowEvent",
};

const TIMER_FIELDS: Record<TimerDefinition["kind"], string> = { duration: "timeDuration", cycle: "timeCycle", date: "timeDate" };

/**
 * Writes a process definition as BPMN 2.0 XML with a diagram
 * (bpmn-auto-layout), so a process built in code opens in any modeler and
 * loadBpmn() reads it back to the same definition.
 */
export async function toBpmnXml(definition: ProcessDefinition): Promise<string> {
  const writer = new Writer(new BpmnModdle({ camunda: camundaDescriptor }));
  const { xml } = await writer.moddle.toXML(writer.definitions(definition), { format: true });
  return layoutProcess(xml);
}

class Writer {
  readonly moddle: BpmnModdleInstance;
  private readonly rootElements: Element[] = [];
  private readonly shared = new Map<string, Element>();

  constructor(moddle: BpmnModdleInstance) {
    this.moddle = moddle;
  }

  definitions(definition: ProcessDefinition): Element {
    const process = this.create("bpmn:Process", { id: definition.id || "process", name: definition.name, isExecutable: true });
    this.fillScope(process, definition.root, undefined);
    const definitions = this.create("bpmn:Definitions", {
      id: "definitions",
      targetNamespace: "http://bpmn.io/schema/bpmn",
      exporter: "adhesive",
      rootElements: [...this.rootElements, process],
    });
    definitions.$attrs = { "xmlns:adhesive": ADHESIVE_NS };
    return definitions;
  }

  private fillScope(container: Element, scope: ScopeDefinition, inheritedLane: string | undefined): void {
    const byId = new Map<string, Element>();
    const elements: Element[] = scope.nodes.map((node) => {
      const element = this.node(node);
      byId.set(node.id, element);
      return element;
    });
    for (const node of scope.nodes) {
      if (node.attachedTo !== undefined) byId.get(node.id)!.attachedToRef = byId.get(node.attachedTo);
    }
    const flows = scope.flows.map((flow) => {
      const source = byId.get(flow.source)!;
      const target = byId.get(flow.target)!;
      const element = this.create("bpmn:SequenceFlow", { id: flow.id, name: flow.name, sourceRef: source, targetRef: target });
      if (flow.condition !== undefined) element.conditionExpression = this.expression(flow.condition);
      ((source.outgoing ??= []) as Element[]).push(element);
      ((target.incoming ??= []) as Element[]).push(element);
      return element;
    });
    for (const node of scope.nodes) {
      if (node.defaultFlow !== undefined) byId.get(node.id)!.default = flows.find((f) => f.id === node.defaultFlow);
      if (node.children) this.fillScope(byId.get(node.id)!, node.children, node.lane ?? inheritedLane);
    }
    container.flowElements = [...elements, ...flows];
    const laneSet = this.laneSet(scope, byId, inheritedLane);
    if (laneSet) container.laneSets = [laneSet];
  }

  private node(node: NodeDefinition): Element {
    const element = this.create(TYPES[node.kind] ?? "bpmn:Task", { id: node.id, name: node.name || undefined });
    if (node.when !== undefined) element.$attrs = { "adhesive:when": node.when };
    if (node.loop) element.loopCharacteristics = this.loop(node.loop);
    if (node.script) Object.assign(element, { scriptFormat: node.script.format, script: node.script.body });
    if (node.attachedTo !== undefined) element.cancelActivity = node.interrupting ?? true;
    const eventDefinition = this.eventDefinition(node);
    if (eventDefinition) element.eventDefinitions = [eventDefinition];
    return element;
  }

  private eventDefinition(node: NodeDefinition): Element | undefined {
    if (node.kind === "messageStartEvent" || node.messageName !== undefined) {
      return this.create("bpmn:MessageEventDefinition", { messageRef: this.message(node.messageName ?? node.name) });
    }
    if (node.timer) {
      return this.create("bpmn:TimerEventDefinition", { [TIMER_FIELDS[node.timer.kind]]: this.expression(node.timer.value) });
    }
    if (node.kind === "errorBoundaryEvent" || node.errorCode !== undefined) {
      return this.create("bpmn:ErrorEventDefinition", { errorRef: node.errorCode ? this.error(node.errorCode) : undefined });
    }
    return undefined;
  }

  /* Standard loops are adhesive's parallel loops; a sequential one is a sequential multi-instance (as the original wrote it). */
  private loop(loop: LoopDefinition): Element {
    if (!loop.sequential && loop.source !== "multiInstance" && loop.expression !== undefined) {
      return this.create("bpmn:StandardLoopCharacteristics", { loopCondition: this.expression(loop.expression) });
    }
    const element = this.create("bpmn:MultiInstanceLoopCharacteristics", { isSequential: loop.sequential });
    if (loop.cardinality !== undefined) element.loopCardinality = this.expression(loop.cardinality);
    if (loop.collection !== undefined) element.collection = loop.collection;
    if (loop.elementVariable !== undefined) element.elementVariable = loop.elementVariable;
    const completion = loop.expression ?? loop.completionCondition;
    if (completion !== undefined) element.completionCondition = this.expression(completion);
    return element;
  }

  /** One lane per distinct lane name of the scope's own nodes (nested nodes in their parent's lane inherit it). */
  private laneSet(scope: ScopeDefinition, byId: Map<string, Element>, inheritedLane: string | undefined): Element | undefined {
    const lanes = new Map<string, Element[]>();
    for (const node of scope.nodes) {
      if (node.lane === undefined || node.lane === inheritedLane) continue;
      const refs = lanes.get(node.lane) ?? [];
      lanes.set(node.lane, [...refs, byId.get(node.id)!]);
    }
    if (lanes.size === 0) return undefined;
    let count = 0;
    const elements = [...lanes].map(([name, refs]) => this.create("bpmn:Lane", { id: `${laneIdPrefix(byId)}lane_${++count}`, name, flowNodeRef: refs }));
    return this.create("bpmn:LaneSet", { id: `${laneIdPrefix(byId)}laneset`, lanes: elements });
  }

  private message(name: string): Element {
    return this.sharedRoot(`message:${name}`, () => this.create("bpmn:Message", { id: `message_${this.shared.size + 1}`, name }));
  }

  private error(code: string): Element {
    return this.sharedRoot(`error:${code}`, () => this.create("bpmn:Error", { id: `error_${this.shared.size + 1}`, name: code, errorCode: code }));
  }

  private sharedRoot(key: string, create: () => Element): Element {
    let element = this.shared.get(key);
    if (!element) {
      element = create();
      this.shared.set(key, element);
      this.rootElements.push(element);
    }
    return element;
  }

  private expression(body: string): Element {
    return this.create("bpmn:FormalExpression", { body });
  }

  private create(type: string, attrs: Record<string, unknown>): Element {
    const defined = Object.fromEntries(Object.entries(attrs).filter(([, value]) => value !== undefined));
    return this.moddle.create(type, defined) as Element;
  }
}

/** Lane ids must be unique across scopes; the first node id of the scope makes them so. */
function laneIdPrefix(byId: Map<string, Element>): string {
  const first = byId.keys().next().value;
  return first === undefined ? "" : `${first}_`;
}
