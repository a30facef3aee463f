/**
 * The plain description of a process, as produced by the BPMN reader and the
 * builders. It is data only (no functions) so it can be validated, printed,
 * exported back to BPMN and compiled into the engine's graph.
 */

/** The kind of a process element: which BPMN element it was read from, and what it does when a token reaches it (docs/elements.md). */
export type NodeKind =
  | "startEvent"
  | "messageStartEvent"
  | "endEvent"
  | "task"
  // a receive task with a message flow waits for its message; without one it runs like a task
  | "receiveTask"
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
  | "intermediateThrowEvent"
  // a pool of a collaboration: its process runs as an instance of its own, beside the other pools
  | "pool"
  | "callActivity"
  | "transaction"
  | "eventSubProcess"
  // start events of process-level instances and of event sub-processes
  | "timerStartEvent"
  | "signalStartEvent"
  | "conditionalStartEvent"
  | "errorStartEvent"
  | "escalationStartEvent"
  | "compensateStartEvent"
  | "signalBoundaryEvent"
  | "escalationBoundaryEvent"
  | "conditionalBoundaryEvent"
  | "compensateBoundaryEvent"
  | "cancelBoundaryEvent"
  // a boundary event drawn without an event definition: never triggered
  | "boundaryEvent"
  | "signalCatchEvent"
  | "conditionalCatchEvent"
  | "linkCatchEvent"
  | "messageThrowEvent"
  | "signalThrowEvent"
  | "escalationThrowEvent"
  | "compensateThrowEvent"
  | "linkThrowEvent"
  | "messageEndEvent"
  | "signalEndEvent"
  | "escalationEndEvent"
  | "compensateEndEvent"
  | "terminateEndEvent"
  | "cancelEndEvent"
  // several event definitions (BPMN "Multiple"): any one of them triggers it
  | "multipleStartEvent"
  | "multipleBoundaryEvent"
  | "multipleCatchEvent";

/** How an element loops: a standard loop, a multi-instance marker, or the builder's `loop` option. */
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
  /** data key that receives the list of every instance's `outputElement` (Zeebe). */
  outputCollection?: string;
  /** expression evaluated as each instance completes (Zeebe `outputElement`). */
  outputElement?: string;
  /** iterations one after the other (a sequential multi-instance, a standard loop), not at once */
  sequential: boolean;
  /**
   * A standard loop's `testBefore`: false (BPMN's default) runs the activity
   * once before its condition counts (do-while). Unset: the condition is
   * tested first (adhesive's loop option and the original's multi-instance
   * completionCondition).
   */
  testBefore?: boolean;
  /** A standard loop's `loopMaximum`: at most this many iterations. */
  maximum?: number;
  /** where the expression came from, for error messages. */
  source: "standardLoop" | "multiInstance" | "builder";
}

/** A script task's script. */
export interface ScriptDefinition {
  /** its language as the file names it: "javascript", "feel", ... */
  format: string;
  /** the script's text */
  body: string;
  /** the data key that gets the script's value (zeebe:script, camunda:resultVariable): the script is then one expression */
  resultVariable?: string;
}

/** BPMN's three kinds of timer: timeDuration, timeCycle, timeDate. */
export type TimerKind = "duration" | "cycle" | "date";

/** A timer event's definition as drawn. */
export interface TimerDefinition {
  /** which of BPMN's timer elements holds the value */
  kind: TimerKind;
  /** an ISO 8601 duration, repetition or date, a cron expression, or an expression (`${...}`, `=...`) that gives one */
  value: string;
}

/** A data mapping: `target` gets the value of the expression `source` (Zeebe ioMapping, Camunda 7 inputOutput, camunda:in/out). */
export interface MappingDefinition {
  /** the data key (or dotted path) that gets the value */
  target: string;
  /** JavaScript or FEEL (`=...`) expression */
  source: string;
}

/**
 * What a call activity passes to the called process and back. `all`: every
 * data key (adhesive's default, Zeebe's propagateAll*, camunda `variables="all"`);
 * `mappings` are added to it.
 */
export interface CallDataDefinition {
  /** every data key is passed */
  all: boolean;
  /** the mappings passed besides (or instead of) all */
  mappings: MappingDefinition[];
  /**
   * callIn: targets of the call activity's own input mappings (Zeebe
   * ioMapping, camunda:inputOutput). They are local to the call activity:
   * the called process sees them, the caller keeps its own values after.
   */
  locals?: string[];
}

/** A field of a user task form drawn in the modeler (Camunda 7 formData, a Zeebe form). */
export interface FormFieldDefinition {
  /** the data key the answer goes to */
  id: string;
  /** what the form shows */
  label: string;
  /** the field's type, as Camunda's forms name them */
  type: "string" | "long" | "boolean" | "date" | "enum" | "password";
  /** enum choices: value and label */
  values?: Array<{
    /** the value the answer holds */
    id: string;
    /** what the form shows */
    name: string;
  }>;
  /** the value the field starts with */
  defaultValue?: string;
}

/** One element of a process or sub-process. */
export interface NodeDefinition {
  /** the element's id, unique in the definition */
  id: string;
  /** Normalised name (whitespace folded), may contain `{...}` placeholders. */
  name: string;
  /** what the element is */
  kind: NodeKind;
  /** the name of the lane it is drawn in */
  lane?: string;
  /** how it loops, when it does */
  loop?: LoopDefinition;
  /** scriptTask: JavaScript statements, or one FEEL expression (format "feel", Zeebe's zeebe:script) */
  script?: ScriptDefinition;
  /** boundary events */
  attachedTo?: string;
  /** boundary events and event sub-process starts: false when they let the activity go on (non-interrupting) */
  interrupting?: boolean;
  /** timer events: when they fire */
  timer?: TimerDefinition;
  /** error events: the error code they throw or catch (catching ones without one catch every error) */
  errorCode?: string;
  /** message events and receive tasks: the message's name */
  messageName?: string;
  /** Zeebe `zeebe:subscription correlationKey` of the message: which tokens a message with a key reaches */
  correlationKey?: string;
  /** gateways and activities: id of the default outgoing flow */
  defaultFlow?: string;
  /** subProcess */
  children?: ScopeDefinition;
  /** builder `when`: a condition that must hold for the node to run. */
  when?: string;
  /** signal events: the signal's name */
  signalName?: string;
  /** escalation events: the escalation code (boundaries and start events without one catch every escalation) */
  escalationCode?: string;
  /** conditional events: the condition that triggers them */
  condition?: string;
  /** link throw and catch events: the link's name */
  linkName?: string;
  /** compensate throw and end events: the activity to compensate (all of the scope's when absent) */
  compensates?: string;
  /** compensate boundary events: the activity that compensates their host (an association in the file) */
  handler?: string;
  /** the activity only runs as a compensation handler */
  forCompensation?: boolean;
  /** callActivity: id of the called process in ProcessDefinition.processes */
  calls?: string;
  /**
   * callActivity: an expression whose value names the process to call, by
   * id or name, when the activity runs (calledElement="${...}", Zeebe
   * processId="=..."); every process of the file and of its folder is read
   */
  callsExpression?: string;
  /** callActivity: the data the called process starts with, and the data it gives back */
  callIn?: CallDataDefinition;
  /** callActivity: the data it gives back */
  callOut?: CallDataDefinition;
  /** data set before the activity runs, and data taken from its result (Zeebe ioMapping, camunda:inputOutput) */
  inputs?: MappingDefinition[];
  /** data taken from the activity's result into the process (Zeebe ioMapping, camunda:inputOutput) */
  outputs?: MappingDefinition[];
  /**
   * Zeebe tasks with output mappings: what the task itself wrote stays
   * local to it and only the outputs reach the process (without outputs,
   * its writes merge into the process as usual).
   */
  onlyOutputs?: boolean;
  /** service tasks: the job type implementations match besides the name (zeebe:taskDefinition type, camunda:topic) */
  taskType?: string;
  /** user tasks: the form drawn in the modeler, shown when no implementation is registered */
  form?: FormFieldDefinition[];
}

/** A sequence flow. */
export interface FlowDefinition {
  /** the flow's id */
  id: string;
  /** its label, when it has one (what an exclusive gateway's implementation may return) */
  name?: string;
  /** the id of the element it leaves */
  source: string;
  /** the id of the element it leads to */
  target: string;
  /** the condition that must hold for a token to take it: JavaScript, or FEEL (`=...`) */
  condition?: string;
}

/**
 * Sub-processes inside sub-processes: far more than a drawn process has,
 * and well within what the reader, compiler and engine (which recurse per
 * level) handle; a deeper file is refused saying so, not with a stack
 * overflow.
 */
export const MAX_NESTING = 100;

/** The elements and flows of a process or sub-process. */
export interface ScopeDefinition {
  /** its elements (a sub-process's own are in its `children`) */
  nodes: NodeDefinition[];
  /** its sequence flows */
  flows: FlowDefinition[];
}

/** A message flow between pools, from the element that sends to the element that receives. */
export interface MessageFlowDefinition {
  /** the message flow's id */
  id: string;
  /** its label */
  name?: string;
  /** the id of the element that sends */
  source: string;
  /** the id of the element (or pool) that receives */
  target: string;
}

/** A process that call activities call (from the same file or another file of its folder). */
export interface CalledProcessDefinition {
  /** the process's id: what a call activity's calledElement names */
  id: string;
  /** its name */
  name: string;
  /** the file it was read from */
  source: string;
  /** its elements and flows */
  root: ScopeDefinition;
}

/**
 * A process as data: what loadBpmn() reads from a file and the builder
 * makes in code, what toBpmnXml() writes, and what Adhesive.run() runs.
 */
export interface ProcessDefinition {
  /** the process's id (the collaboration's, for a file with pools) */
  id: string;
  /** its name (or its pool's), else its id */
  name: string;
  /** file the process was read from, or a description such as `<builder>`. */
  source: string;
  /** the process, or for a collaboration one `pool` node per process that runs */
  root: ScopeDefinition;
  /** the message flows between its pools */
  messageFlows?: MessageFlowDefinition[];
  /** the processes its call activities call */
  processes?: CalledProcessDefinition[];
  /** what runs but is most likely a drawing mistake (bpmn/warnings.ts): lint and verify print these */
  warnings?: Array<{
    /** the element the warning is about */
    elementId: string;
    /** what looks wrong */
    message: string;
  }>;
}
