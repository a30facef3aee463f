/*
 * What a modeler does with an exported file, without a browser: bpmn-moddle
 * reads it (bpmn-js and Camunda Modeler read files with it), then bpmn-js's
 * own importer walk (BpmnTreeWalker, the part of importXML that pairs every
 * element with its diagram shape) goes over every diagram of the file, as
 * importXML does for the diagram it opens and the sub-process planes that
 * go with it. Any warning either reports, and any element of any process
 * the walk would not draw, fails: a process of the file that bpmn-js would
 * not show on opening it counts as not drawn.
 */
import { BpmnModdle } from "bpmn-moddle";
import BpmnTreeWalker from "bpmn-js/lib/import/BpmnTreeWalker.js";
import { expect } from "vitest";

type Element = Record<string, unknown> & { $type: string; id: string };

interface Walker {
  handleDefinitions(definitions: Element, diagram: Element): void;
}

export interface ModelerView {
  warnings: string[];
  /** ids of the elements drawn, with their names as shown */
  drawn: Map<string, string | undefined>;
  definitions: Element;
}

export async function openInModeler(xml: string): Promise<ModelerView> {
  const { rootElement, warnings } = await new BpmnModdle().fromXML(xml, "bpmn:Definitions");
  const definitions = rootElement as unknown as Element;
  const problems = warnings.map((warning) => warning.message);
  const drawn = new Map<string, string | undefined>();
  const visitor = {
    root: (element: Element) => element,
    element: (element: Element) => {
      if (drawn.has(element.id)) problems.push(`${element.id} drawn twice`);
      drawn.set(element.id, element.name as string | undefined);
      return element;
    },
    error: (message: string) => problems.push(message),
  };
  const walker = new (BpmnTreeWalker as unknown as new (handler: typeof visitor) => Walker)(visitor);
  const diagrams = shownOnOpening(definitions);
  if (diagrams.length === 0) problems.push("no diagram to display");
  for (const diagram of diagrams) walker.handleDefinitions(definitions, diagram);
  return { warnings: problems, drawn, definitions };
}

/*
 * bpmn-js's Importer (getDiagramsToImport) opens the file's first diagram,
 * with the planes of the sub-processes of its process, or of every process
 * of its collaboration's pools; the file's other diagrams are not shown.
 */
function shownOnOpening(definitions: Element): Element[] {
  const [first, ...others] = (definitions.diagrams ?? []) as Element[];
  if (first === undefined) return [];
  const shown = (first.plane as Element).bpmnElement as Element;
  const processes = shown.$type === "bpmn:Collaboration" ? ((shown.participants ?? []) as Element[]).map((participant) => participant.processRef as Element) : [shown];
  const inside = new Set(processes.flatMap(flowElements));
  return [first, ...others.filter((diagram) => inside.has((diagram.plane as Element).bpmnElement as Element))];
}

/** The file opens without a warning and every flow node and sequence flow of its processes and their sub-processes is drawn. */
export async function expectOpensCleanly(xml: string): Promise<ModelerView> {
  const view = await openInModeler(xml);
  expect(view.warnings).toEqual([]);
  const processes = (view.definitions.rootElements as Element[]).filter((element) => element.$type === "bpmn:Process");
  const missing = processes.flatMap(flowElements).filter((element) => !view.drawn.has(element.id));
  expect(missing.map((element) => `${element.$type} ${element.id}`)).toEqual([]);
  return view;
}

function flowElements(container: Element): Element[] {
  return ((container.flowElements ?? []) as Element[]).flatMap((element) => [element, ...(element.$type === "bpmn:SubProcess" ? flowElements(element) : [])]);
}
