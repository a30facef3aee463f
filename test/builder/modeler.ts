/*
 * What a modeler does with an exported file, without a browser: bpmn-moddle
 * reads it (bpmn-js and Camunda Modeler read files with it), then bpmn-js's
 * own importer walk (BpmnTreeWalker, the part of importXML that pairs every
 * element with its diagram shape) goes over every diagram of the file, as
 * importXML does for a process and its sub-process planes. Any warning
 * either reports, and any element the walk would not draw, fails.
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
  const diagrams = (definitions.diagrams ?? []) as Element[];
  if (diagrams.length === 0) problems.push("no diagram to display");
  for (const diagram of diagrams) walker.handleDefinitions(definitions, diagram);
  return { warnings: problems, drawn, definitions };
}

/** The file opens without a warning and every flow node and sequence flow of the process and its sub-processes is drawn. */
export async function expectOpensCleanly(xml: string): Promise<ModelerView> {
  const view = await openInModeler(xml);
  expect(view.warnings).toEqual([]);
  const process = (view.definitions.rootElements as Element[]).find((element) => element.$type === "bpmn:Process")!;
  const missing = flowElements(process).filter((element) => !view.drawn.has(element.id));
  expect(missing.map((element) => `${element.$type} ${element.id}`)).toEqual([]);
  return view;
}

function flowElements(container: Element): Element[] {
  return ((container.flowElements ?? []) as Element[]).flatMap((element) => [element, ...(element.$type === "bpmn:SubProcess" ? flowElements(element) : [])]);
}
