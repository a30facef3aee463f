import type { BpmnModdleInstance } from "bpmn-moddle";
import type { CallDataDefinition, CalledProcessDefinition, FormFieldDefinition, LoopDefinition, MappingDefinition, NodeDefinition, ProcessDefinition, ScopeDefinition, TimerDefinition } from "../model/definition.js";
import { KINDS } from "../model/kinds.js";
import { autoLayout, Diagram } from "./diagram.js";
import { stackPools } from "./diagram-pools.js";
import { create, Ids, type Element } from "./moddle-elements.js";
import { withoutUndefined } from "./context.js";
import { createModdle, ZEEBE_NS } from "./moddle.js";
import { UsageError } from "../errors.js";

/** Namespace of adhesive's own attributes (the builder's `when`), which no BPMN element has. */
export const ADHESIVE_NS = "https://adhesive.dev/schema/bpmn/1.0";

const TIMER_FIELDS: Record<TimerDefinition["kind"], string> = { duration: "timeDuration", cycle: "timeCycle", date: "timeDate" };

/**
 * Writes a process definition as BPMN 2.0 XML with a diagram, so a process
 * built in code opens in any modeler and loadBpmn() reads it back to the
 * same definition. The processes its call activities call are written
 * into the same file, each in a pool of its own.
 *
 * The diagram comes from bpmn-auto-layout, then gets what that library
 * leaves out or gets wrong (see Diagram below): it can throw or skip elements
 * on some graphs (a simple layered layout takes over), it draws the children
 * of its collapsed sub-processes on the process plane (they are moved to a
 * plane of their own), and it draws no lanes (pool and lane bands are added).
 * What it keeps: the lane set itself and attributes of other namespaces
 * (adhesive:when, camunda:collection), which it writes back as it read them.
 */
export async function toBpmnXml(definition: ProcessDefinition): Promise<string> {
  refuseUnwritable(definition);
  const moddle = await createModdle();
  const ids = new Ids(definition);
  const writer = new Writer(moddle, ids);
  const processes = [writer.process(definition), ...(definition.processes ?? []).map((called) => writer.process(called))];
  const definitionsId = ids.next("definitions");
  const drawn: Element[] = [];
  for (const process of processes) drawn.push(await drawProcess(moddle, ids, writer.definitions(definitionsId, process)));
  // a file with called processes shows each in a pool of its own, as a modeler draws several processes
  const written = drawn.length === 1 ? drawn[0] : stackPools(moddle, ids, drawn);
  return (await moddle.toXML(written, { format: true })).xml;
}

/*
 * bpmn-auto-layout lays out the first process of a file only: each process
 * is laid out in a file of its own, which then holds its diagram.
 */
async function drawProcess(moddle: BpmnModdleInstance, ids: Ids, semantic: Element): Promise<Element> {
  const { xml } = await moddle.toXML(semantic, { format: true });
  const laidOut = await autoLayout(xml);
  // read back so every element has its $parent and the layout's DI is linked to it
  const parsed = await moddle.fromXML(laidOut ?? xml, "bpmn:Definitions");
  const diagram = new Diagram(moddle, parsed.rootElement as Element, ids);
  if (laidOut === undefined || !diagram.complete()) diagram.layoutAll();
  diagram.drawAnnotations();
  diagram.separateSubProcessPlanes();
  diagram.drawLanes();
  return parsed.rootElement as Element;
}

/*
 * The writer draws what the builder builds, and what the reader reads into
 * those same kinds; a definition with pools, calls it cannot write as they
 * run (an expression names the process, data mappings) or the other events
 * is refused rather than written as something else.
 */
function refuseUnwritable(definition: ProcessDefinition): void {
  const unwritable: string[] = [];
  const scopes = [definition.root, ...(definition.processes ?? []).map((called) => called.root)];
  for (const called of definition.processes ?? []) if (!XML_ID.test(called.id)) unwritable.push(`called process "${called.id}" (not an XML id: it comes from another file)`);
  for (let scope = scopes.pop(); scope !== undefined; scope = scopes.pop()) {
    for (const node of scope.nodes) {
      if (KINDS[node.kind].writes === undefined) unwritable.push(`${node.kind} ${node.id}`);
      else if (node.kind === "callActivity" && !writableCall(node)) unwritable.push(`the data mappings or called-process expression of ${node.id}`);
      if (node.children) scopes.push(node.children);
    }
  }
  if (definition.messageFlows?.length) unwritable.push("message flows");
  if (unwritable.length > 0) throw new UsageError(`toBpmnXml(${definition.id}) cannot write ${unwritable.join(", ")}; it writes what the builder builds`);
}

const XML_ID = /^[A-Za-z_][\w.-]*$/;

/* a call of a named process that passes all data both ways: what the builder builds */
function writableCall(node: NodeDefinition): boolean {
  const all = (binding: CallDataDefinition | undefined): boolean => binding === undefined || (binding.all && binding.mappings.length === 0 && binding.locals === undefined);
  return node.calls !== undefined && node.callsExpression === undefined && all(node.callIn) && all(node.callOut);
}

class Writer {
  private readonly moddle: BpmnModdleInstance;
  private readonly ids: Ids;
  private readonly rootElements: Element[] = [];
  private readonly shared = new Map<string, Element>();

  constructor(moddle: BpmnModdleInstance, ids: Ids) {
    this.moddle = moddle;
    this.ids = ids;
  }

  /** A process, the one that runs or one it calls; the messages and errors it refers to are collected for definitions(). */
  process(definition: ProcessDefinition | CalledProcessDefinition): Element {
    // called ones too: Camunda deploys only executable processes, and a call of one that is not fails
    const process = this.create("bpmn:Process", { id: definition.id || this.ids.next("process"), name: definition.name || undefined, isExecutable: true });
    this.fillScope(process, definition.root, undefined, true);
    return process;
  }

  /** A file holding one process and every message and error of all the processes written. */
  definitions(id: string, process: Element): Element {
    const definitions = this.create("bpmn:Definitions", {
      id,
      targetNamespace: "http://bpmn.io/schema/bpmn",
      exporter: "adhesive",
      rootElements: [...this.rootElements, process],
    });
    definitions.$attrs["xmlns:adhesive"] = ADHESIVE_NS;
    return definitions;
  }

  private fillScope(container: Element, scope: ScopeDefinition, inheritedLane: string | undefined, isProcess: boolean): void {
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
      if (node.children) this.fillScope(byId.get(node.id)!, node.children, node.lane ?? inheritedLane, false);
    }
    container.flowElements = [...elements, ...flows];
    const notes = this.whenNotes(scope, byId);
    if (notes.length > 0) container.artifacts = notes;
    const laneSet = this.laneSet(scope, byId, inheritedLane, isProcess);
    if (laneSet) container.laneSets = [laneSet];
  }

  /*
   * adhesive:when is what runs, and no modeler shows attributes of other
   * namespaces: each `when` is also written as a text annotation on its node,
   * which modelers draw and the reader ignores.
   */
  private whenNotes(scope: ScopeDefinition, byId: Map<string, Element>): Element[] {
    return scope.nodes
      .filter((node) => node.when !== undefined)
      .flatMap((node) => {
        const note = this.create("bpmn:TextAnnotation", { id: this.ids.next(`${node.id}_when`), text: `when ${node.when!}` });
        return [note, this.create("bpmn:Association", { id: this.ids.next(`${node.id}_when_link`), sourceRef: byId.get(node.id), targetRef: note })];
      });
  }

  private node(node: NodeDefinition): Element {
    // a job type belongs to a service task (the Camunda descriptor puts camunda:topic there)
    const type = node.taskType !== undefined && node.kind === "task" ? "bpmn:ServiceTask" : (KINDS[node.kind].writes ?? "bpmn:Task");
    const element = this.create(type, { id: node.id, name: node.name || undefined });
    if (node.when !== undefined) element.$attrs["adhesive:when"] = node.when;
    // its mappings are written as Camunda 7's, which keep a task's own writes: that a Zeebe task keeps only its outputs is said here
    if (node.onlyOutputs === true) element.$attrs["adhesive:onlyOutputs"] = "true";
    if (node.loop) element.loopCharacteristics = this.loop(node.loop);
    if (node.script) Object.assign(element, { scriptFormat: node.script.format, script: node.script.body });
    if (node.attachedTo !== undefined) element.cancelActivity = node.interrupting ?? true;
    if (node.calls !== undefined) element.calledElement = node.calls;
    // a receive task names its message itself
    if (node.kind === "receiveTask" && node.messageName !== undefined) element.messageRef = this.message(node.messageName, node.correlationKey);
    else {
      const eventDefinition = this.eventDefinition(node);
      if (eventDefinition) element.eventDefinitions = [eventDefinition];
    }
    this.camunda(element, node);
    return element;
  }

  /*
   * What the reader takes from Camunda's extensions, written with the
   * Camunda 7 descriptor: a job type as an external task topic, mappings as
   * camunda:inputOutput (each source as `${...}`, which the reader unwraps
   * to the expression, FEEL included), a form as camunda:formData.
   */
  private camunda(element: Element, node: NodeDefinition): void {
    if (node.taskType !== undefined) Object.assign(element, { type: "external", topic: node.taskType });
    const values: Element[] = [];
    if (node.inputs !== undefined || node.outputs !== undefined) {
      const parameter = (type: string, mapping: MappingDefinition): Element => this.create(type, { name: mapping.target, value: `\${${mapping.source}}` });
      values.push(
        this.create("camunda:InputOutput", {
          inputParameters: (node.inputs ?? []).map((m) => parameter("camunda:InputParameter", m)),
          outputParameters: (node.outputs ?? []).map((m) => parameter("camunda:OutputParameter", m)),
        }),
      );
    }
    if (node.form !== undefined) values.push(this.create("camunda:FormData", { fields: node.form.map((field) => this.formField(field)) }));
    // Camunda 7 passes no data to a called process unless told to; adhesive and Camunda 8 pass all of it both ways
    if (node.kind === "callActivity") values.push(this.create("camunda:In", { variables: "all" }), this.create("camunda:Out", { variables: "all" }));
    if (values.length > 0) element.extensionElements = this.create("bpmn:ExtensionElements", { values });
  }

  private formField(field: FormFieldDefinition): Element {
    const values = (field.values ?? []).map((value) => this.create("camunda:Value", { id: value.id, name: value.name }));
    return this.create("camunda:FormField", { id: field.id, label: field.label, type: field.type, defaultValue: field.defaultValue, values: values.length > 0 ? values : undefined });
  }

  private eventDefinition(node: NodeDefinition): Element | undefined {
    if (node.kind === "messageStartEvent" || node.messageName !== undefined) {
      return this.create("bpmn:MessageEventDefinition", { messageRef: this.message(node.messageName ?? node.name, node.correlationKey) });
    }
    if (node.timer) {
      return this.create("bpmn:TimerEventDefinition", { [TIMER_FIELDS[node.timer.kind]]: this.expression(node.timer.value) });
    }
    if (node.kind === "errorBoundaryEvent" || node.errorCode !== undefined) {
      // no errorRef is a catch-all boundary; "" (an error without code or name) is a reference all the same
      return this.create("bpmn:ErrorEventDefinition", { errorRef: node.errorCode !== undefined ? this.error(node.errorCode) : undefined });
    }
    return undefined;
  }

  /*
   * Standard loops are adhesive's parallel loops; a sequential one is a
   * sequential multi-instance (as the original wrote it). A loop without
   * testBefore (the builder's) tests its condition first: written so, as
   * BPMN's default is do-while.
   */
  private loop(loop: LoopDefinition): Element {
    if (!loop.sequential && loop.source !== "multiInstance" && loop.expression !== undefined) {
      return this.create("bpmn:StandardLoopCharacteristics", withoutUndefined({ testBefore: loop.testBefore ?? true, loopMaximum: loop.maximum, loopCondition: this.expression(loop.expression) }));
    }
    const element = this.create("bpmn:MultiInstanceLoopCharacteristics", { isSequential: loop.sequential });
    if (loop.cardinality !== undefined) element.loopCardinality = this.expression(loop.cardinality);
    // written as camunda:collection / camunda:elementVariable, which the reader takes from any vendor
    if (loop.collection !== undefined) element.collection = loop.collection;
    if (loop.elementVariable !== undefined) element.elementVariable = loop.elementVariable;
    const completion = loop.expression ?? loop.completionCondition;
    if (completion !== undefined) element.completionCondition = this.expression(completion);
    if (loop.outputCollection !== undefined) {
      // only Zeebe names an output collection: its loop element carries the input side too, which the reader takes first
      const zeebe = this.moddle.createAny("zeebe:loopCharacteristics", ZEEBE_NS, withoutUndefined({
        inputCollection: loop.collection,
        inputElement: loop.elementVariable,
        outputCollection: loop.outputCollection,
        outputElement: loop.outputElement,
      }));
      element.extensionElements = this.create("bpmn:ExtensionElements", { values: [zeebe] });
    }
    return element;
  }

  /**
   * One lane per distinct lane name of the scope's own nodes; nested nodes in
   * their parent's lane inherit it, as the reader does. In the process, the
   * nodes without a lane go into an unnamed lane (which names no workspace,
   * so they still run without one): a pool with lanes must place every node
   * in some lane band, and a modeler then keeps them where they are.
   */
  private laneSet(scope: ScopeDefinition, byId: Map<string, Element>, inheritedLane: string | undefined, isProcess: boolean): Element | undefined {
    const lanes = new Map<string, Element[]>();
    for (const node of scope.nodes) {
      if (node.lane === inheritedLane && !isProcess) continue;
      const name = node.lane ?? "";
      lanes.set(name, [...(lanes.get(name) ?? []), byId.get(node.id)!]);
    }
    if ([...lanes.keys()].every((name) => name === "")) return undefined;
    const owner = isProcess ? "" : `${scope.nodes[0]?.id ?? "scope"}_`;
    const elements = [...lanes].map(([name, refs]) =>
      this.create("bpmn:Lane", { id: this.ids.next(`${owner}lane`), name: name || undefined, flowNodeRef: refs }),
    );
    return this.create("bpmn:LaneSet", { id: this.ids.next(`${owner}laneset`), lanes: elements });
  }

  /* a Zeebe correlation key goes back where Camunda 8 keeps it; the writer's Camunda 7 descriptor does not know it, hence a generic element */
  private message(name: string, correlationKey: string | undefined): Element {
    return this.sharedRoot(`message:${name}`, () => {
      const subscription = correlationKey === undefined ? undefined : this.moddle.createAny("zeebe:subscription", ZEEBE_NS, { correlationKey });
      const extensionElements = subscription === undefined ? undefined : this.create("bpmn:ExtensionElements", { values: [subscription] });
      return this.create("bpmn:Message", { id: this.ids.next("message"), name, extensionElements });
    });
  }

  private error(code: string): Element {
    return this.sharedRoot(`error:${code}`, () => this.create("bpmn:Error", { id: this.ids.next("error"), name: code, errorCode: code }));
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
    return create(this.moddle, type, attrs);
  }
}
