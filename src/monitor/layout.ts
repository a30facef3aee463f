import type { NodeKind } from "../model/definition.js";
import type { GraphFlow, ProcessGraph } from "../model/graph.js";
import { isMessageStart, kindsWhere } from "../model/kinds.js";

/** A process element as the live view names it. */
export interface ElementInfo {
  readonly id: string;
  readonly name: string;
  readonly kind: NodeKind;
}

/**
 * The elements and flows of a process by index, as a RunMonitor counts them:
 * elements by GraphNode.index, flows in the order of their source nodes. A
 * journal replay that knows element ids finds the indices with `element()`
 * and `flow()`.
 */
export class MonitorLayout {
  readonly elements: readonly ElementInfo[];
  readonly flowIds: readonly string[];
  /** 1 where the element runs a function and reports it as a task */
  readonly isTask: Uint8Array;
  /** 1 where each arrival is a new message event instance */
  readonly isMessageStart: Uint8Array;
  readonly hasMessageStarts: boolean;
  /** 1 for end events: a token leaving there has gone through (elsewhere it was merged, dropped or cancelled) */
  readonly isEnd: Uint8Array;
  /* per element: the index of its first outgoing flow (a node's flows are numbered one after another) */
  private readonly firstFlow: Uint32Array;
  private readonly elementIndices: Map<string, number>;
  private readonly flowIdIndices: Map<string, number>;

  constructor(graph: ProcessGraph) {
    this.elements = graph.nodes.map((node) => ({ id: node.id, name: node.name, kind: node.kind }));
    this.elementIndices = new Map(graph.nodes.map((node) => [node.id, node.index]));
    const flows = graph.nodes.flatMap((node) => node.outgoing);
    this.flowIds = flows.map((flow) => flow.id);
    this.firstFlow = new Uint32Array(graph.nodes.length);
    for (let i = 0, next = 0; i < graph.nodes.length; next += graph.nodes[i].outgoing.length, i++) this.firstFlow[i] = next;
    this.flowIdIndices = new Map(flows.map((flow, index) => [flow.id, index]));
    this.isTask = Uint8Array.from(graph.nodes, (node) => (TASK_KINDS.has(node.kind) ? 1 : 0));
    this.isMessageStart = Uint8Array.from(graph.nodes, (node) => (isMessageStart(node) ? 1 : 0));
    this.hasMessageStarts = this.isMessageStart.includes(1);
    this.isEnd = Uint8Array.from(graph.nodes, (node) => (node.kind === "endEvent" ? 1 : 0));
  }

  /** Index of a compiled flow of this graph (every flow a token takes: no hashing, a node has few flows). */
  flowOf(flow: GraphFlow): number {
    const outgoing = flow.source.outgoing;
    for (let i = 0; i < outgoing.length; i++) if (outgoing[i] === flow) return this.firstFlow[flow.source.index] + i;
    return -1;
  }

  element(id: string): number | undefined {
    return this.elementIndices.get(id);
  }

  flow(id: string): number | undefined {
    return this.flowIdIndices.get(id);
  }
}

/* tasks the monitor counts: a receive task waits for a message */
const TASK_KINDS = kindsWhere((facts) => facts.runs === "function" && !facts.waits);
