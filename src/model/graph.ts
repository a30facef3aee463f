import type { FormFieldDefinition, NodeKind, TimerDefinition } from "./definition.js";
import type { CompiledExpression } from "./expression.js";
import { isMessageStart } from "./kinds.js";
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
  /** the processes call activities call, by ProcessDefinition.processes id */
  processes: Map<string, Scope>;
  /**
   * for call activities whose process an expression names: every process
   * by id, by its id in its own file (`billing.bpmn#Bill` as `Bill`) and by
   * name; null where two processes answer to it
   */
  callable: ReadonlyMap<string, Scope | null> | undefined;
  /** per signal name: the events that catch it (catch, boundary and start events), in document order */
  signals: Map<string, GraphNode[]>;
  /** conditional catch, boundary and event sub-process start events, re-evaluated when data changes */
  conditionals: GraphNode[];
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
  /** a process (the run's, a pool's or a called one): its triggered start events start instances of it */
  process: boolean;
  /** event sub-processes of the scope: their start events are watched while an instance of the scope runs */
  eventSubProcesses: GraphNode[];
  /** timer, signal and conditional start events of a process scope */
  triggeredStarts: GraphNode[];
  /** a process that call activities call: which one (errors inside name it) */
  called: { id: string; name: string } | undefined;
}

export type JoinMode = "never" | "always" | "waitTasks";

export interface CompiledLoop {
  expression: CompiledExpression | undefined;
  cardinality: CompiledExpression | undefined;
  collection: CompiledExpression | undefined;
  elementVariable: string | undefined;
  completionCondition: CompiledExpression | undefined;
  outputCollection: string | undefined;
  outputElement: CompiledExpression | undefined;
  sequential: boolean;
  /** false: a condition loop runs once before its condition counts (a standard loop's own loopCondition, testBefore="false") */
  testBefore: boolean;
  /** a standard loop's loopMaximum: at most this many iterations */
  maximum: number | undefined;
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
  loop: CompiledLoop | undefined;
  when: CompiledExpression | undefined;
  script: CompiledExpression | undefined;
  children: Scope | undefined;
  /** boundary events attached to this activity, every kind and per kind */
  boundaries: GraphNode[];
  errorBoundaries: GraphNode[];
  timerBoundaries: GraphNode[];
  messageBoundaries: GraphNode[];
  /** signal and conditional boundaries: armed, like timers and messages, while the activity runs */
  watchedBoundaries: GraphNode[];
  escalationBoundaries: GraphNode[];
  cancelBoundaries: GraphNode[];
  compensateBoundary: GraphNode | undefined;
  attachedTo: GraphNode | undefined;
  interrupting: boolean;
  timer: TimerDefinition | undefined;
  /** when the timer of a timer boundary or catch event fires */
  schedule: TimerSchedule | undefined;
  errorCode: string | undefined;
  messageName: string | undefined;
  correlationKey: string | undefined;
  signalName: string | undefined;
  escalationCode: string | undefined;
  /** conditional events */
  condition: CompiledExpression | undefined;
  /** event sub-process: its start event */
  trigger: GraphNode | undefined;
  /** call activity: the process it runs */
  called: Scope | undefined;
  /** call activity: the expression whose value names the process it runs (ProcessGraph.callable) */
  calledExpression: CompiledExpression | undefined;
  callIn: CompiledCallData | undefined;
  callOut: CompiledCallData | undefined;
  /** input mappings: local to the activity (an empty list when only the data outside it must be kept, see onlyOutputs) */
  inputs: CompiledMapping[] | undefined;
  outputs: CompiledMapping[] | undefined;
  /** Zeebe: only the output mappings leave the task (NodeDefinition.onlyOutputs) */
  onlyOutputs: boolean;
  /** compensate boundary: the handler; compensate throw: the activity it compensates (all when undefined) */
  handler: GraphNode | undefined;
  compensates: GraphNode | undefined;
  forCompensation: boolean;
  taskType: string | undefined;
  form: FormFieldDefinition[] | undefined;
  /** where its message flows lead: it sends to them when it completes or is passed */
  messageTargets: GraphNode[] | undefined;
  /** a message flow leads here: messages come from elements of the run, not only from message() sources */
  messageFed: boolean;
  /** an exclusive gateway whose flows carry no conditions: its implementation returns the flow to take */
  decides: boolean;
  /** what the engine does when a token completes here besides routing (COMPLETION bits) */
  onComplete: number;
  /** when a token arriving here waits for the other tokens that can still reach it */
  join: JoinMode;
  /**
   * Bitset over the scope's local indices of the nodes that can reach this
   * one; only computed for join nodes (it is what the join check reads).
   */
  ancestors: Uint32Array | undefined;
}

export interface CompiledMapping {
  target: string;
  source: CompiledExpression;
}

export interface CompiledCallData {
  all: boolean;
  mappings: CompiledMapping[];
  /** callIn: the call activity's own input mappings' targets, which the caller keeps its values of */
  locals: string[] | undefined;
}

/** Bits of GraphNode.onComplete. */
export const COMPLETION = {
  /** send to the node's message flows */
  send: 1,
  /** drop the input mappings' local values, apply output mappings */
  outputs: 2,
  /** log the completion: a compensate boundary may compensate it later */
  compensable: 4,
  /** a compensation handler finished */
  handler: 8,
  /** take the flow the implementation returned */
  decision: 16,
  /** data may have changed: conditional events re-evaluate */
  conditions: 32,
} as const;

/** A message start event of a process (not of an event sub-process): each message starts an instance. */
export function startsInstance(node: GraphNode): boolean {
  return isMessageStart(node) && node.scope.process;
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
