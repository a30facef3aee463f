import type { BpmnProblem } from "../errors.js";
import type { MessageFlowDefinition, NodeDefinition, ScopeDefinition } from "../model/definition.js";
import { isMessageStart } from "../model/kinds.js";
import { bool, child, children, str, type ModdleElement } from "./moddle.js";
import { foldName } from "./text.js";

/**
 * Which processes of a file run. With `process` (an id or a name) that one;
 * else every executable process, or when none is marked executable every
 * process with a start. Pools without a process or without elements
 * (black boxes) are documentation, and a process that a call activity of
 * another one calls runs only from there.
 */
export function runnableProcesses(definitions: ModdleElement, wanted: string | undefined, problems: BpmnProblem[]): ModdleElement[] {
  const processes = children(definitions, "rootElements").filter((element) => element.$type === "bpmn:Process");
  if (processes.length === 0) {
    problems.push({ elementId: str(definitions, "id") ?? "", message: "the file has no <process>" });
    return [];
  }
  if (wanted !== undefined) return pickProcess(definitions, processes, wanted, problems);
  const drawn = processes.filter((process) => children(process, "flowElements").length > 0);
  if (drawn.length === 0) return [processes[0]];
  const pooled = drawn.filter((process) => participantOf(definitions, process) !== undefined);
  // a collaboration's pools run; processes outside it are there to be called
  const inPools = pooled.length > 0 ? pooled : drawn;
  const executable = inPools.filter((process) => bool(process, "isExecutable", false));
  const marked = executable.length > 0 ? executable : inPools;
  const called = calledIds(marked);
  const callers = marked.filter((process) => !called.has(str(process, "id") ?? ""));
  const started = (callers.length > 0 ? callers : marked).filter(hasStart);
  return started.length > 0 ? started : [marked[0]];
}

function pickProcess(definitions: ModdleElement, processes: ModdleElement[], wanted: string, problems: BpmnProblem[]): ModdleElement[] {
  const byId = processes.find((process) => str(process, "id") === wanted);
  const byName = processes.filter((process) => processName(definitions, process) === foldName(wanted));
  const found = byId ?? (byName.length === 1 ? byName[0] : undefined);
  if (found) return [found];
  const known = processes.map((process) => `"${str(process, "id")}"${processName(definitions, process) ? ` (${processName(definitions, process)})` : ""}`);
  const why = byName.length > 1 ? `${byName.length} processes are named "${wanted}"; give the id` : `no process has the id or name "${wanted}"`;
  problems.push({ elementId: str(definitions, "id") ?? "", message: `${why}; the file has ${known.join(", ")}` });
  return [];
}

export function participantOf(definitions: ModdleElement, process: ModdleElement): ModdleElement | undefined {
  return children(definitions, "rootElements")
    .flatMap((root) => children(root, "participants"))
    .find((candidate) => candidate.processRef === process);
}

/** The process's name, else its pool's, else its id. */
export function processName(definitions: ModdleElement, process: ModdleElement): string {
  return foldName(str(process, "name")) || foldName(str(participantOf(definitions, process), "name")) || (str(process, "id") ?? "");
}

/* the processes called by call activities of these ones, at any depth of sub-processes */
function calledIds(processes: ModdleElement[]): Set<string> {
  const called = new Set<string>();
  const containers = [...processes];
  for (let container = containers.pop(); container !== undefined; container = containers.pop()) {
    for (const element of children(container, "flowElements")) {
      if (element.$type === "bpmn:CallActivity") {
        const target = calledElement(element);
        if (target !== undefined) called.add(target);
      }
      if (children(element, "flowElements").length > 0) containers.push(element);
    }
  }
  return called;
}

/** `calledElement` as the file wrote it: the BPMN attribute or Zeebe's `zeebe:calledElement processId`. */
export function calledElement(element: ModdleElement): string | undefined {
  const zeebe = extension(element, "zeebe:calledelement");
  const id = str(zeebe, "processId") ?? str(element, "calledElement");
  return id?.trim() || undefined;
}

/** An extension element by type, spelled in lower case (without its descriptor moddle keeps the XML spelling). */
export function extension(element: ModdleElement | undefined, type: string): ModdleElement | undefined {
  return extensions(element, type)[0];
}

export function extensions(element: ModdleElement | undefined, type: string): ModdleElement[] {
  const holder = element === undefined ? undefined : child(element, "extensionElements");
  return holder ? children(holder, "values").filter((value) => value.$type.toLowerCase() === type) : [];
}

const NOT_STARTS = new Set(["bpmn:BoundaryEvent", "bpmn:SequenceFlow", "bpmn:DataObject", "bpmn:DataObjectReference", "bpmn:DataStoreReference"]);

function hasStart(process: ModdleElement): boolean {
  const elements = children(process, "flowElements");
  const targets = new Set(elements.filter((e) => e.$type === "bpmn:SequenceFlow").map((flow) => child(flow, "targetRef")));
  return elements.some(
    (element) =>
      element.$type === "bpmn:StartEvent" ||
      (!NOT_STARTS.has(element.$type) && !targets.has(element) && !bool(element, "isForCompensation", false) && !bool(element, "triggeredByEvent", false)),
  );
}

/** A collaboration's pool: its process runs in an instance of its own. */
export function poolNode(definitions: ModdleElement, process: ModdleElement, root: NodeDefinition["children"]): NodeDefinition {
  return { id: str(process, "id") ?? "", name: processName(definitions, process), kind: "pool", children: root };
}

/**
 * The message flows between elements of the processes that run. A flow to a
 * pool goes to that process's message start events (those of its message,
 * if it names one); a flow from a pool or to a process that does not run
 * has no element to send or receive it, and is left out.
 */
export function messageFlows(
  definitions: ModdleElement,
  nodes: ReadonlyMap<string, NodeDefinition>,
  processes: ReadonlyMap<string, ScopeDefinition>,
): MessageFlowDefinition[] {
  const flows: MessageFlowDefinition[] = [];
  for (const collaboration of children(definitions, "rootElements")) {
    for (const flow of children(collaboration, "messageFlows")) {
      const source = str(child(flow, "sourceRef"), "id");
      if (source === undefined || !nodes.has(source)) continue;
      for (const target of flowTargets(flow, nodes, processes)) {
        flows.push({ id: str(flow, "id") ?? "", name: foldName(str(flow, "name")) || undefined, source, target });
      }
    }
  }
  return flows;
}

function flowTargets(flow: ModdleElement, nodes: ReadonlyMap<string, NodeDefinition>, processes: ReadonlyMap<string, ScopeDefinition>): string[] {
  const target = child(flow, "targetRef");
  const id = str(target, "id");
  if (id !== undefined && nodes.has(id)) return [id];
  if (target?.$type !== "bpmn:Participant") return [];
  const scope = processes.get(str(child(target, "processRef"), "id") ?? "");
  const starts = scope?.nodes.filter(isMessageStart) ?? [];
  const message = foldName(str(child(flow, "messageRef"), "name"));
  const named = starts.filter((start) => start.messageName === message);
  return (named.length > 0 ? named : starts).map((start) => start.id);
}
