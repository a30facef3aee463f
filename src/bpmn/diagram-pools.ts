import type { BpmnModdleInstance } from "bpmn-moddle";
import { create, list, type Element, type Ids } from "./moddle-elements.js";

/** Room left of a pool's content for its label column (30px in bpmn-js), and around the content. */
const POOL_LABEL = 30;
const MARGIN = 30;
/** Space between two pools. */
const GAP = 40;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * One file from files of one process each, laid out on their own (write.ts):
 * the processes become the pools of one collaboration, stacked top to
 * bottom in order (the calling process first) and as wide as the widest,
 * which is how a modeler shows the processes of one file and what bpmn-js
 * and Camunda Modeler open with every process drawn. A process drawn in a
 * pool already (it has lanes) keeps it; the others get one around their
 * shapes. Sub-process planes stay as they are.
 */
export function stackPools(moddle: BpmnModdleInstance, ids: Ids, drawn: Element[]): Element {
  const [first] = drawn;
  const participants: Element[] = [];
  const planeElements: Element[] = [];
  const pools: Array<{ pool: Element; lanes: Element[] }> = [];
  const otherDiagrams: Element[] = [];
  const processes: Element[] = [];
  let top = 0;
  for (const definitions of drawn) {
    const roots = list(definitions, "rootElements");
    const process = roots.find((element) => element.$type === "bpmn:Process")!;
    const collaboration = roots.find((element) => element.$type === "bpmn:Collaboration");
    const owner = collaboration ?? process;
    const diagrams = list(definitions, "diagrams");
    const root = diagrams.find((diagram) => (diagram.plane as Element).bpmnElement === owner)!;
    otherDiagrams.push(...diagrams.filter((diagram) => diagram !== root));
    const shapes = list(root.plane as Element, "planeElement");
    const participant = list(collaboration, "participants")[0] ?? create(moddle, "bpmn:Participant", { id: ids.next(`${String(process.id)}_pool`), name: process.name, processRef: process });
    let pool = shapes.find((di) => di.bpmnElement === participant);
    if (pool === undefined) {
      const content = extent(shapes);
      for (const di of shapes) shift(moddle, di, POOL_LABEL + MARGIN - content.x, MARGIN - content.y);
      pool = create(moddle, "bpmndi:BPMNShape", {
        id: ids.next(`${String(participant.id)}_di`),
        bpmnElement: participant,
        isHorizontal: true,
        bounds: create(moddle, "dc:Bounds", { x: 0, y: 0, width: Math.round(content.width + POOL_LABEL + 2 * MARGIN), height: Math.round(content.height + 2 * MARGIN) }),
      });
      shapes.unshift(pool);
    }
    const poolTop = Number((pool.bounds as Element).y);
    for (const di of shapes) shift(moddle, di, 0, top - poolTop);
    top += Number((pool.bounds as Element).height) + GAP;
    pools.push({ pool, lanes: shapes.filter((di) => (di.bpmnElement as Element | undefined)?.$type === "bpmn:Lane") });
    planeElements.push(...shapes);
    participants.push(participant);
    processes.push(process);
  }
  // every pool as wide as the widest, its lanes with it
  const right = Math.max(...pools.map(({ pool }) => Number((pool.bounds as Element).x) + Number((pool.bounds as Element).width)));
  for (const { pool, lanes } of pools) {
    for (const di of [pool, ...lanes]) (di.bounds as Element).width = right - Number((di.bounds as Element).x);
  }

  const firstRoots = list(first, "rootElements");
  const collaboration = firstRoots.find((element) => element.$type === "bpmn:Collaboration") ?? create(moddle, "bpmn:Collaboration", { id: ids.next("collaboration") });
  collaboration.participants = participants;
  // the messages and errors of every process are in each file: the first one's are written
  const shared = firstRoots.filter((element) => element.$type !== "bpmn:Collaboration" && element.$type !== "bpmn:Process");
  first.rootElements = [collaboration, ...shared, ...processes];
  const rootDiagram = list(first, "diagrams").find((diagram) => !otherDiagrams.includes(diagram))!;
  Object.assign(rootDiagram.plane as Element, { bpmnElement: collaboration, planeElement: planeElements });
  first.diagrams = [rootDiagram, ...otherDiagrams];
  return first;
}

/** The box around every shape, edge and label of a plane. */
function extent(elements: Element[]): Box {
  const xs: number[] = [];
  const ys: number[] = [];
  const add = (box: Element | undefined): void => {
    if (box === undefined) return;
    xs.push(Number(box.x), Number(box.x) + Number(box.width));
    ys.push(Number(box.y), Number(box.y) + Number(box.height));
  };
  for (const di of elements) {
    add(di.bounds as Element | undefined);
    add((di.label as Element | undefined)?.bounds as Element | undefined);
    for (const point of list(di, "waypoint")) {
      xs.push(Number(point.x));
      ys.push(Number(point.y));
    }
  }
  if (xs.length === 0) return { x: 0, y: 0, width: 0, height: 0 };
  const [x, y] = [Math.min(...xs), Math.min(...ys)];
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

function shift(moddle: BpmnModdleInstance, di: Element, dx: number, dy: number): void {
  const move = (box: Element | undefined): void => {
    if (box === undefined) return;
    box.x = Math.round(Number(box.x) + dx);
    box.y = Math.round(Number(box.y) + dy);
  };
  move(di.bounds as Element | undefined);
  move((di.label as Element | undefined)?.bounds as Element | undefined);
  if (di.waypoint !== undefined) di.waypoint = list(di, "waypoint").map((point) => create(moddle, "dc:Point", { x: Math.round(Number(point.x) + dx), y: Math.round(Number(point.y) + dy) }));
}
