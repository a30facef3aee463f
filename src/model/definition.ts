/**
 * The plain description of a process, as produced by the BPMN reader and the
 * builders. It is data only (no functions) so it can be validated, printed,
 * exported back to BPMN and compiled into the engine's graph.
 */

export type NodeKind =
  | "startEvent"
  | "messageStartEvent"
  | "endEvent"
  | "task"
  | "userTask"
  | "scriptTask"
  | "subProcess"
  | "exclusiveGateway"
  | "parallelGateway"
  | "inclusiveGateway"
  | "complexGateway"
  | "eventBasedGateway"
  | "errorBoundaryEvent"
  | "timerBoundaryEvent"
  | "messageBoundaryEvent"
  | "intermediateCatchEvent"
  | "intermediateThrowEvent";

/** Node kinds that call a user function (or a script). */
export const EXECUTABLE_KINDS: ReadonlySet<NodeKind> = new Set<NodeKind>(["task", "userTask", "scriptTask"]);

export const GATEWAY_KINDS: ReadonlySet<NodeKind> = new Set<NodeKind>([
  "exclusiveGateway",
  "parallelGateway",
  "inclusiveGateway",
  "complexGateway",
  "eventBasedGateway",
]);

export const BOUNDARY_KINDS: ReadonlySet<NodeKind> = new Set<NodeKind>([
  "errorBoundaryEvent",
  "timerBoundaryEvent",
  "messageBoundaryEvent",
]);

export interface LoopDefinition {
  /** adhesive loop expression: collection, object or condition. */
  expression?: string;
  /** multi-instance count expression (`loopCardinality`). */
  cardinality?: string;
  /** Camunda 7 / Camunda 8 collection expression. */
  collection?: string;
  /** data key that receives the current item of `collection`. */
  elementVariable?: string;
  /** multi-instance completion condition (when a collection or cardinality is used). */
  completionCondition?: string;
  sequential: boolean;
  /** where the expression came from, for error messages. */
  source: "standardLoop" | "multiInstance" | "builder";
}

export type TimerKind = "duration" | "cycle" | "date";

export interface TimerDefinition {
  kind: TimerKind;
  value: string;
}

export interface NodeDefinition {
  id: string;
  /** Normalised name (whitespace folded), may contain `{...}` placeholders. */
  name: string;
  kind: NodeKind;
  lane?: string;
  loop?: LoopDefinition;
  /** scriptTask */
  script?: { format: string; body: string };
  /** boundary events */
  attachedTo?: string;
  interrupting?: boolean;
  timer?: TimerDefinition;
  errorCode?: string;
  messageName?: string;
  /** gateways and activities: id of the default outgoing flow */
  defaultFlow?: string;
  /** subProcess */
  children?: ScopeDefinition;
  /** builder `when`: a condition that must hold for the node to run. */
  when?: string;
}

export interface FlowDefinition {
  id: string;
  name?: string;
  source: string;
  target: string;
  condition?: string;
}

/**
 * Sub-processes inside sub-processes: far more than a drawn process has,
 * and well within what the reader, compiler and engine (which recurse per
 * level) handle; a deeper file is refused saying so, not with a stack
 * overflow.
 */
export const MAX_NESTING = 100;

export interface ScopeDefinition {
  nodes: NodeDefinition[];
  flows: FlowDefinition[];
}

export interface ProcessDefinition {
  id: string;
  name: string;
  /** file the process was read from, or a description such as `<builder>`. */
  source: string;
  root: ScopeDefinition;
}
