import type { BpmnModdleInstance } from "bpmn-moddle";
import { create, is, list, type Element, type Ids } from "./moddle-elements.js";

interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Point {
  x: number;
  y: number;
}

/** The grid bpmn-auto-layout 1.x uses; the fallback layout and the lane bands use the same one. */
const CELL_WIDTH = 150;
const CELL_HEIGHT = 140;
/** Room left of the content for the pool's and the lanes' label columns (30px each in bpmn-js). */
const LANE_LABELS = 60;
/** A `when` note over its node: fits in the gap between rows of the grid. */
const ANNOTATION_HEIGHT = 24;

/*
 * bpmn-auto-layout 1.3 throws on some valid graphs (a join listed between
 * two siblings, bpmn-io/bpmn-auto-layout#151); the file is still worth
 * writing, with the fallback layout.
 */
export async function autoLayout(xml: string): Promise<string | undefined> {
  try {
    // loaded when the first process is written, not when adhesive is imported
    const { layoutProcess } = await import("bpmn-auto-layout");
    return await layoutProcess(xml);
  } catch {
    return undefined;
  }
}

/** The diagram part of the written file (BPMNDiagram / BPMNPlane / shapes / edges). */
export class Diagram {
  private readonly moddle: BpmnModdleInstance;
  private readonly definitions: Element;
  private readonly process: Element;
  private readonly ids: Ids;

  constructor(moddle: BpmnModdleInstance, definitions: Element, ids: Ids) {
    this.moddle = moddle;
    this.definitions = definitions;
    this.process = list(definitions, "rootElements").find((element) => element.$type === "bpmn:Process")!;
    this.ids = ids;
    for (const diagram of list(definitions, "diagrams")) {
      this.ids.reserve(String(diagram.id));
      const plane = diagram.plane as Element;
      this.ids.reserve(String(plane.id));
      for (const di of list(plane, "planeElement")) this.ids.reserve(String(di.id));
    }
  }

  /** Every flow node has a shape and every sequence flow an edge. */
  complete(): boolean {
    const drawn = new Set(this.planes().flatMap((plane) => list(plane, "planeElement")).map((di) => di.bpmnElement));
    return this.containers(this.process).every((container) => list(container, "flowElements").every((element) => drawn.has(element)));
  }

  /**
   * The fallback layout: each scope on its own grid, one column per longest
   * path step from a start, so flows run left to right; back edges of
   * cycles are routed above. Sub-process contents go on the process plane
   * first, where bpmn-auto-layout puts them too, so that one step
   * (separateSubProcessPlanes) gives both layouts their sub-process planes.
   */
  layoutAll(): void {
    this.definitions.diagrams = [];
    const plane = this.newPlane(this.process);
    for (const container of this.containers(this.process)) this.layoutScope(container, plane);
  }

  /**
   * Text annotations (the `when` notes) above the node they are linked to,
   * on the node's plane, with the association's edge; neither layout draws
   * artifacts.
   */
  drawAnnotations(): void {
    const shapes = new Map<Element, Element>();
    for (const plane of this.planes()) for (const di of list(plane, "planeElement")) if (di.$type === "bpmndi:BPMNShape") shapes.set(di.bpmnElement as Element, di);
    const plane = this.rootPlane();
    for (const container of this.containers(this.process)) {
      for (const association of list(container, "artifacts").filter((artifact) => artifact.$type === "bpmn:Association")) {
        const [node, note] = [association.sourceRef as Element, association.targetRef as Element];
        const host = shapes.get(node);
        if (!host || note.$type !== "bpmn:TextAnnotation") continue;
        const box = bounds(host);
        const noteBox = { x: box.x + box.width / 2 - 10, y: box.y - ANNOTATION_HEIGHT - 4, width: Math.max(100, 7 * String(note.text).length), height: ANNOTATION_HEIGHT };
        list(plane, "planeElement").push(this.shape(note, noteBox, {}));
        const waypoint = [this.point(box.x + box.width / 2, box.y), this.point(noteBox.x + 10, noteBox.y + noteBox.height)];
        list(plane, "planeElement").push(create(this.moddle, "bpmndi:BPMNEdge", { id: this.ids.next(`${String(association.id)}_di`), bpmnElement: association, waypoint }));
      }
    }
  }

  /*
   * bpmn-auto-layout 1.3 draws sub-processes collapsed but puts their
   * contents on the process plane, on top of the process's own shapes. A
   * collapsed sub-process shows its contents on a plane of its own (what
   * Camunda Modeler and bpmn-js write), so they move there.
   */
  separateSubProcessPlanes(): void {
    const root = this.rootPlane();
    const planes = new Map<Element, Element>();
    const kept: Element[] = [];
    for (const di of list(root, "planeElement")) {
      const owner = (di.bpmnElement as Element | undefined)?.$parent;
      if (owner === undefined || owner === this.process || !is(owner, "bpmn:SubProcess")) {
        kept.push(di);
        continue;
      }
      let plane = planes.get(owner);
      if (!plane) planes.set(owner, (plane = this.newPlane(owner)));
      list(plane, "planeElement").push(di);
    }
    root.planeElement = kept;
  }

  /**
   * bpmn-auto-layout keeps the lane set but draws no lanes, and modelers show
   * lanes only inside a pool. So the process gets a pool (a collaboration
   * with one participant), each lane a horizontal band, and the rows of the
   * layout are regrouped by lane: a node keeps its column, its row moves
   * into its lane's band. Flows between nodes that moved apart are routed
   * again. Lanes of sub-processes stay in the model only: modelers draw no
   * lanes inside sub-processes.
   */
  drawLanes(): void {
    const lanes = list(list(this.process, "laneSets")[0], "lanes");
    if (lanes.length === 0) return;
    const root = this.rootPlane();
    const shapes = new Map<Element, Element>();
    for (const di of list(root, "planeElement")) if (di.$type === "bpmndi:BPMNShape") shapes.set(di.bpmnElement as Element, di);
    const laneOf = new Map<Element, Element>();
    for (const lane of lanes) for (const node of list(lane, "flowNodeRef")) laneOf.set(node, lane);

    const nodes = list(this.process, "flowElements").filter((element) => !isConnection(element) && !isAttached(element) && shapes.has(element));
    const rowOf = (node: Element): number => Math.floor(center(bounds(shapes.get(node)!)).y / CELL_HEIGHT);
    const bands: Array<{ lane: Element; rows: number[]; first: number }> = [];
    let next = 0;
    for (const lane of lanes) {
      const rows = [...new Set(nodes.filter((node) => laneOf.get(node) === lane).map(rowOf))].sort((a, b) => a - b);
      bands.push({ lane, rows, first: next });
      next += Math.max(rows.length, 1);
    }
    const shift = new Map<Element, Point>();
    for (const node of nodes) {
      const band = bands.find((candidate) => candidate.lane === laneOf.get(node)) ?? bands[0];
      const row = rowOf(node);
      const newRow = band.first + Math.max(band.rows.indexOf(row), 0);
      shift.set(node, { x: LANE_LABELS, y: (newRow - row) * CELL_HEIGHT });
    }
    // a `when` note moves with its node
    for (const association of list(this.process, "artifacts").filter((artifact) => artifact.$type === "bpmn:Association")) {
      const node = shift.get(association.sourceRef as Element);
      if (node) shift.set(association.targetRef as Element, node);
    }
    for (const [element, shape] of shapes) {
      const host = isAttached(element) ? (element.attachedToRef as Element) : element;
      move(shape, shift.get(host) ?? { x: LANE_LABELS, y: 0 });
    }
    for (const edge of list(root, "planeElement").filter((di) => di.$type === "bpmndi:BPMNEdge")) {
      const flow = edge.bpmnElement as Element;
      const [source, target] = [flow.sourceRef as Element, flow.targetRef as Element];
      const [from, to] = [shift.get(hostOf(source)), shift.get(hostOf(target))];
      if (from !== undefined && to !== undefined && from.y === to.y) {
        edge.waypoint = list(edge, "waypoint").map((point) => this.point(Number(point.x) + from.x, Number(point.y) + from.y));
      } else if (shapes.has(source) && shapes.has(target)) {
        edge.waypoint = route(bounds(shapes.get(source)!), bounds(shapes.get(target)!), isAttached(source)).map((p) => this.point(p.x, p.y));
      }
    }

    const right = Math.max(...[...shapes.values()].map((shape) => bounds(shape).x + bounds(shape).width), ...edgeXs(root)) + 40;
    const participant = create(this.moddle, "bpmn:Participant", {
      id: this.ids.next(`${String(this.process.id)}_pool`),
      name: this.process.name,
      processRef: this.process,
    });
    const collaboration = create(this.moddle, "bpmn:Collaboration", { id: this.ids.next("collaboration"), participants: [participant] });
    this.definitions.rootElements = [collaboration, ...list(this.definitions, "rootElements")];
    root.bpmnElement = collaboration;
    const height = next * CELL_HEIGHT;
    const laneShapes = bands.map((band) =>
      this.shape(band.lane, { x: 30, y: band.first * CELL_HEIGHT, width: right - 30, height: Math.max(band.rows.length, 1) * CELL_HEIGHT }, { isHorizontal: true }),
    );
    const pool = this.shape(participant, { x: 0, y: 0, width: right, height }, { isHorizontal: true });
    // the pool and lanes go first so they are drawn below the nodes
    root.planeElement = [pool, ...laneShapes, ...list(root, "planeElement")];
  }

  private layoutScope(container: Element, plane: Element): void {
    const elements = list(container, "flowElements");
    const nodes = elements.filter((element) => !isConnection(element) && !isAttached(element));
    const flows = elements.filter(isConnection);
    const successors = new Map<Element, Element[]>(nodes.map((node) => [node, []]));
    // what follows a boundary event goes a row below its host, like modelers draw it
    const belowHost = new Set<Element>();
    for (const flow of flows) {
      const source = flow.sourceRef as Element;
      successors.get(hostOf(source))?.push(hostOf(flow.targetRef as Element));
      if (isAttached(source)) belowHost.add(flow.targetRef as Element);
    }
    const back = backEdges(nodes, successors);
    const predecessorsOf = new Map<Element, Element[]>(nodes.map((node) => [node, []]));
    for (const node of nodes) {
      for (const next of successors.get(node)!) if (!back.has(edgeKey(node, next))) predecessorsOf.get(next)?.push(node);
    }
    const column = new Map<Element, number>();
    const row = new Map<Element, number>();
    const taken = new Set<string>();
    for (const node of topological(nodes, successors, back)) {
      const predecessors = predecessorsOf.get(node)!;
      const col = Math.max(0, ...predecessors.map((p) => column.get(p)! + 1));
      let r = predecessors.length > 0 ? row.get(predecessors[0])! + (belowHost.has(node) ? 1 : 0) : 0;
      while (taken.has(`${col}:${r}`)) r++;
      taken.add(`${col}:${r}`);
      column.set(node, col);
      row.set(node, r);
    }
    const placed = new Map<Element, Bounds>();
    for (const node of nodes) {
      const size = sizeOf(node);
      const box = {
        x: column.get(node)! * CELL_WIDTH + (CELL_WIDTH - size.width) / 2,
        y: row.get(node)! * CELL_HEIGHT + (CELL_HEIGHT - size.height) / 2,
        ...size,
      };
      placed.set(node, box);
      list(plane, "planeElement").push(this.shape(node, box, is(node, "bpmn:ExclusiveGateway") ? { isMarkerVisible: true } : {}));
    }
    const attachedCount = new Map<Element, number>();
    for (const event of elements.filter(isAttached)) {
      const host = placed.get(event.attachedToRef as Element);
      if (!host) continue;
      const index = attachedCount.get(event.attachedToRef as Element) ?? 0;
      attachedCount.set(event.attachedToRef as Element, index + 1);
      const box = { x: host.x + host.width - 28 - index * 40, y: host.y + host.height - 18, width: 36, height: 36 };
      placed.set(event, box);
      list(plane, "planeElement").push(this.shape(event, box, {}));
    }
    for (const flow of flows) {
      const [source, target] = [placed.get(flow.sourceRef as Element), placed.get(flow.targetRef as Element)];
      if (!source || !target) continue;
      const waypoint = route(source, target, isAttached(flow.sourceRef as Element)).map((p) => this.point(p.x, p.y));
      list(plane, "planeElement").push(create(this.moddle, "bpmndi:BPMNEdge", { id: this.ids.next(`${String(flow.id)}_di`), bpmnElement: flow, waypoint }));
    }
  }

  /** The process and every sub-process in it, outermost first. */
  private containers(container: Element): Element[] {
    const nested = list(container, "flowElements").filter((element) => is(element, "bpmn:SubProcess"));
    return [container, ...nested.flatMap((sub) => this.containers(sub))];
  }

  private planes(): Element[] {
    return list(this.definitions, "diagrams").map((diagram) => diagram.plane as Element);
  }

  private rootPlane(): Element {
    return this.planes().find((plane) => plane.bpmnElement === this.process) ?? this.newPlane(this.process);
  }

  private newPlane(owner: Element): Element {
    const plane = create(this.moddle, "bpmndi:BPMNPlane", { id: this.ids.next(`BPMNPlane_${String(owner.id)}`), bpmnElement: owner, planeElement: [] });
    const diagram = create(this.moddle, "bpmndi:BPMNDiagram", { id: this.ids.next(`BPMNDiagram_${String(owner.id)}`), plane });
    this.definitions.diagrams = [...list(this.definitions, "diagrams"), diagram];
    return plane;
  }

  private shape(element: Element, box: Bounds, extra: Record<string, unknown>): Element {
    const rounded = create(this.moddle, "dc:Bounds", {
      x: Math.round(box.x),
      y: Math.round(box.y),
      width: Math.round(box.width),
      height: Math.round(box.height),
    });
    return create(this.moddle, "bpmndi:BPMNShape", { id: this.ids.next(`${String(element.id)}_di`), bpmnElement: element, bounds: rounded, ...extra });
  }

  private point(x: number, y: number): Element {
    return create(this.moddle, "dc:Point", { x: Math.round(x), y: Math.round(y) });
  }
}

function isConnection(element: Element): boolean {
  return element.$type === "bpmn:SequenceFlow";
}

function isAttached(element: Element): boolean {
  return element.attachedToRef !== undefined;
}

/** A boundary event's flows leave from its host as far as the layout is concerned. */
function hostOf(element: Element): Element {
  return isAttached(element) ? (element.attachedToRef as Element) : element;
}

function bounds(shape: Element): Bounds {
  const box = shape.bounds as Element;
  return { x: Number(box.x), y: Number(box.y), width: Number(box.width), height: Number(box.height) };
}

function center(box: Bounds): Point {
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

function move(shape: Element, by: Point): void {
  const box = shape.bounds as Element;
  box.x = Number(box.x) + by.x;
  box.y = Number(box.y) + by.y;
  const label = (shape.label as Element | undefined)?.bounds as Element | undefined;
  if (label) {
    label.x = Number(label.x) + by.x;
    label.y = Number(label.y) + by.y;
  }
}

function edgeXs(plane: Element): number[] {
  return list(plane, "planeElement").flatMap((di) => list(di, "waypoint").map((point) => Number(point.x)));
}

function sizeOf(element: Element): { width: number; height: number } {
  if (is(element, "bpmn:Gateway")) return { width: 50, height: 50 };
  if (is(element, "bpmn:Event")) return { width: 36, height: 36 };
  return { width: 100, height: 80 };
}

/**
 * Right-angled path between two shapes: out of the source's right side into
 * the target's left side, or over the top for a flow that goes back; a
 * boundary event's flow leaves downwards.
 */
function route(source: Bounds, target: Bounds, fromBoundary: boolean): Point[] {
  const from = center(source);
  const to = center(target);
  if (fromBoundary) {
    const start = { x: from.x, y: source.y + source.height };
    if (target.x > from.x && to.y >= start.y) return [start, { x: from.x, y: to.y }, { x: target.x, y: to.y }];
    if (target.x > from.x + 25) {
      // the target is level with the host: go below the host first, not through it
      const gap = target.x - 25;
      return [start, { x: from.x, y: start.y + 20 }, { x: gap, y: start.y + 20 }, { x: gap, y: to.y }, { x: target.x, y: to.y }];
    }
    const below = Math.max(start.y, target.y + target.height) + 20;
    return [start, { x: from.x, y: below }, { x: to.x, y: below }, { x: to.x, y: target.y + target.height }];
  }
  const exit = source.x + source.width;
  if (target.x >= exit) {
    if (from.y === to.y) return [{ x: exit, y: from.y }, { x: target.x, y: to.y }];
    // the vertical part runs in the gap just before the target's column, where no other shape is
    const middle = target.x - Math.min(25, (target.x - exit) / 2);
    return [{ x: exit, y: from.y }, { x: middle, y: from.y }, { x: middle, y: to.y }, { x: target.x, y: to.y }];
  }
  const above = Math.min(source.y, target.y) - 20;
  return [{ x: from.x, y: source.y }, { x: from.x, y: above }, { x: to.x, y: above }, { x: to.x, y: target.y }];
}

function edgeKey(source: Element, target: Element): string {
  return `${String(source.id)}\u0000${String(target.id)}`;
}

/** Flows that close a cycle, found by a depth-first walk from the nodes nothing flows into. */
function backEdges(nodes: Element[], successors: Map<Element, Element[]>): Set<string> {
  const back = new Set<string>();
  const state = new Map<Element, "open" | "done">();
  const incoming = new Set(nodes.flatMap((node) => successors.get(node)!));
  const visit = (node: Element): void => {
    state.set(node, "open");
    for (const next of successors.get(node) ?? []) {
      const seen = state.get(next);
      if (seen === "open") back.add(edgeKey(node, next));
      else if (seen === undefined && successors.has(next)) visit(next);
    }
    state.set(node, "done");
  };
  for (const node of [...nodes.filter((n) => !incoming.has(n)), ...nodes]) if (!state.has(node)) visit(node);
  return back;
}

/** Nodes in an order where every node comes after its (non-back-edge) predecessors; ties in document order. */
function topological(nodes: Element[], successors: Map<Element, Element[]>, back: Set<string>): Element[] {
  const pending = new Map<Element, number>(nodes.map((node) => [node, 0]));
  for (const node of nodes) {
    for (const next of successors.get(node)!) if (!back.has(edgeKey(node, next)) && pending.has(next)) pending.set(next, pending.get(next)! + 1);
  }
  const order: Element[] = [];
  const ready = nodes.filter((node) => pending.get(node) === 0);
  while (ready.length > 0) {
    const node = ready.shift()!;
    order.push(node);
    for (const next of successors.get(node)!) {
      if (back.has(edgeKey(node, next)) || !pending.has(next)) continue;
      const left = pending.get(next)! - 1;
      pending.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  return order;
}
