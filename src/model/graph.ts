import type { NodeKind, TimerDefinition } from "./definition.js";
import type { CompiledExpression } from "./expression.js";
import type { NameTemplate } from "./name-template.js";
import type { TimerSchedule } from "./timer.js";

/**
 * The compiled process graph the engine runs. Built once per process; every
 * per-event question the engine asks (can a token still reach this join?
 * which flow is the default?) is answered from fields precomputed here.
 */
export interface ProcessGraph {
  id: string;
  name: string;
  source: string;
  root: Scope;
  /** every node of every scope, indexed by GraphNode.index */
  nodes: GraphNode[];
  byId: Map<string, GraphNode>;
}

export interface Scope {
  /** nodes of this scope; GraphNode.local indexes into it */
  nodes: GraphNode[];
  /** where tokens start when the scope is entered (plain start events, activities without incoming flows) */
  starts: GraphNode[];
  /** message start events: each event starts its own instance of the scope */
  messageStarts: GraphNode[];
  /** the sub-process node owning this scope, undefined for the root */
  owner: GraphNode | undefined;
  /** true when some node of the scope may have to wait for other tokens */
  hasJoins: boolean;
}

export type JoinMode = "never" | "always" | "waitTasks";

export interface CompiledLoop {
  expression: CompiledExpression | undefined;
  cardinality: CompiledExpression | undefined;
  collection: CompiledExpression | undefined;
  elementVariable: string | undefined;
  completionCondition: CompiledExpression | undefined;
  sequential: boolean;
  /** the text shown as `ctx.loop.expression` */
  text: string;
}

export interface GraphNode {
  /** position in ProcessGraph.nodes */
  index: number;
  /** position in its scope's nodes */
  local: number;
  id: string;
  name: string;
  kind: NodeKind;
  scope: Scope;
  template: NameTemplate;
  lane: string | undefined;
  laneTemplate: NameTemplate | undefined;
  outgoing: GraphFlow[];
  incomingCount: number;
  defaultFlow: GraphFlow | undefined;
  /** flows without condition, used as default by exclusive gateways without a `default` attribute */
  loop: CompiledLoop | undefined;
  when: CompiledExpression | undefined;
  script: CompiledExpression | undefined;
  children: Scope | undefined;
  /** boundary events attached to this activity */
  errorBoundaries: GraphNode[];
  timerBoundaries: GraphNode[];
  messageBoundaries: GraphNode[];
  attachedTo: GraphNode | undefined;
  interrupting: boolean;
  timer: TimerDefinition | undefined;
  /** when the timer of a timer boundary or catch event fires */
  schedule: TimerSchedule | undefined;
  errorCode: string | undefined;
  messageName: string | undefined;
  /** when a token arriving here waits for the other tokens that can still reach it */
  join: JoinMode;
  /**
   * Bitset over the scope's local indices of the nodes that can reach this
   * one; only computed for join nodes (it is what the join check reads).
   */
  ancestors: Uint32Array | undefined;
}

export interface GraphFlow {
  id: string;
  /** document order within its scope; a later flow's data wins when tokens merge */
  order: number;
  name: string | undefined;
  source: GraphNode;
  target: GraphNode;
  condition: CompiledExpression | undefined;
}

export function hasBit(bits: Uint32Array, index: number): boolean {
  return (bits[index >>> 5] & (1 << (index & 31))) !== 0;
}

export function setBit(bits: Uint32Array, index: number): void {
  bits[index >>> 5] |= 1 << (index & 31);
}
