import type { JoinMode } from "./graph.js";
import type { NodeKind } from "./definition.js";

/**
 * What every element kind is, in one table: the reader, the validator, the
 * compiler, the engine, the task bindings and the monitor derive their kind
 * sets from it, so a new kind is one row here (the compiler names a missing
 * one) plus its behaviour in src/engine/elements/.
 */

/** An event definition (`bpmn:SignalEventDefinition` is `signal`); `none`: an event without one. */
export type EventTrigger =
  | "none"
  | "message"
  | "timer"
  | "error"
  | "escalation"
  | "signal"
  | "conditional"
  | "link"
  | "terminate"
  | "compensate"
  | "cancel";

export interface KindFacts {
  /** a pool and an event sub-process are neither activities (nothing attaches to them) nor events */
  family: "activity" | "gateway" | "event" | "pool" | "eventSubProcess";
  /** activities: a function (or script) runs, or an instance of a scope runs inside */
  runs?: "function" | "scope";
  /** events: where they stand */
  position?: "start" | "intermediate" | "boundary" | "end";
  /** events (and the receive task, which catches a message): whether it waits for its trigger or throws it */
  direction?: "catch" | "throw";
  /** the event definitions this kind stands for */
  triggers: readonly EventTrigger[];
  /** several of `triggers` at once (BPMN "Multiple"): any one of those it has triggers it; the node's fields say which it has */
  multiple?: true;
  /** BPMN element types read as this kind; events are read by element type and trigger together */
  elements: readonly string[];
  /** global tasks a call activity may call: the call runs as this kind, implemented by the task's name */
  globalTasks?: readonly string[];
  /** what toBpmnXml() writes; a kind without one is refused there */
  writes?: string;
  /** a token stands on it until its event happens, so it may follow an event-based gateway */
  waits: boolean;
  /** a sequence flow may lead to it (others are entered by an event, or hold a process) */
  incoming: boolean;
  /** a path may stop there without an outgoing flow (else it still does, with a lint warning: warnings.ts); `never` for end events, which cannot be left */
  mayEndPath: boolean | "never";
  /** with no incoming flow it starts its scope (the original adhesive's rule for tasks and gateways; bpmn-engine's for intermediate events) */
  startsWhenUnreached: boolean;
  /** when a token arriving here waits for the others that can still reach it */
  join: JoinMode;
  /** which implementation runs it (tasks/binding.ts): a task(), a usertask(), a message() source, the task() that sends its message, a named gateway's task(), or a looped scope's loop */
  implementedBy?: "task" | "userTask" | "receive" | "message" | "send" | "gateway" | "loop";
  /** how the validator names the scope it holds */
  scopeLabel?: "process" | "sub-process" | "event sub-process" | "transaction";
}

const TASK: Omit<KindFacts, "elements"> = {
  family: "activity",
  runs: "function",
  implementedBy: "task",
  triggers: [],
  waits: false,
  incoming: true,
  mayEndPath: true,
  startsWhenUnreached: true,
  join: "waitTasks",
};

const SCOPE: Omit<KindFacts, "elements"> = { ...TASK, runs: "scope", implementedBy: "loop" };

/* a pool and an event sub-process hold a process or scope that an event, not a flow, starts */
const HOLDER = { triggers: [], waits: false, incoming: false, mayEndPath: true, join: "never" } as const;

function gateway(element: string, join: JoinMode): KindFacts {
  return { family: "gateway", implementedBy: "gateway", triggers: [], elements: [element], writes: element, waits: false, incoming: true, mayEndPath: false, startsWhenUnreached: true, join };
}

function event(position: NonNullable<KindFacts["position"]>, direction: "catch" | "throw", triggers: readonly EventTrigger[], element: string): KindFacts {
  return {
    family: "event",
    position,
    direction,
    triggers,
    elements: [element],
    waits: position === "intermediate" && direction === "catch" && !triggers.includes("link"),
    incoming: position === "intermediate" || position === "end",
    mayEndPath: position === "end" ? "never" : position === "boundary",
    startsWhenUnreached: position === "intermediate",
    join: "never",
  };
}

/* what a multiple event may combine: the triggers that are waited for (isWaitedFor), one definition of each */
const MULTIPLE_TRIGGERS: readonly EventTrigger[] = ["message", "timer", "signal", "conditional"];

const START = "bpmn:StartEvent";
const END = "bpmn:EndEvent";
const BOUNDARY = "bpmn:BoundaryEvent";
const CATCH = "bpmn:IntermediateCatchEvent";
const THROW = "bpmn:IntermediateThrowEvent";

export const KINDS: { readonly [K in NodeKind]: KindFacts } = {
  task: {
    ...TASK,
    elements: ["bpmn:Task", "bpmn:ServiceTask", "bpmn:SendTask", "bpmn:ManualTask", "bpmn:BusinessRuleTask"],
    globalTasks: ["bpmn:GlobalTask", "bpmn:GlobalManualTask", "bpmn:GlobalBusinessRuleTask"],
    writes: "bpmn:Task",
  },
  receiveTask: { ...TASK, implementedBy: "receive", direction: "catch", triggers: ["message"], elements: ["bpmn:ReceiveTask"], writes: "bpmn:ReceiveTask", waits: true },
  userTask: { ...TASK, implementedBy: "userTask", elements: ["bpmn:UserTask"], globalTasks: ["bpmn:GlobalUserTask"], writes: "bpmn:UserTask" },
  scriptTask: { ...TASK, implementedBy: undefined, elements: ["bpmn:ScriptTask"], writes: "bpmn:ScriptTask" },
  subProcess: { ...SCOPE, elements: ["bpmn:SubProcess"], writes: "bpmn:SubProcess", scopeLabel: "sub-process" },
  transaction: { ...SCOPE, elements: ["bpmn:Transaction"], scopeLabel: "transaction" },
  callActivity: { ...SCOPE, elements: ["bpmn:CallActivity"], writes: "bpmn:CallActivity" },
  eventSubProcess: { ...HOLDER, family: "eventSubProcess", elements: ["bpmn:SubProcess"], startsWhenUnreached: false, scopeLabel: "event sub-process" },
  pool: { ...HOLDER, family: "pool", elements: ["bpmn:Participant"], startsWhenUnreached: true, scopeLabel: "process" },

  exclusiveGateway: gateway("bpmn:ExclusiveGateway", "never"),
  parallelGateway: gateway("bpmn:ParallelGateway", "always"),
  inclusiveGateway: gateway("bpmn:InclusiveGateway", "always"),
  // adhesive runs a complex gateway like a task
  complexGateway: gateway("bpmn:ComplexGateway", "waitTasks"),
  eventBasedGateway: gateway("bpmn:EventBasedGateway", "never"),

  startEvent: { ...event("start", "catch", ["none"], START), writes: START },
  messageStartEvent: { ...event("start", "catch", ["message"], START), writes: START, implementedBy: "message" },
  timerStartEvent: { ...event("start", "catch", ["timer"], START), writes: START },
  signalStartEvent: event("start", "catch", ["signal"], START),
  conditionalStartEvent: event("start", "catch", ["conditional"], START),
  errorStartEvent: event("start", "catch", ["error"], START),
  escalationStartEvent: event("start", "catch", ["escalation"], START),
  compensateStartEvent: event("start", "catch", ["compensate"], START),

  errorBoundaryEvent: { ...event("boundary", "catch", ["error"], BOUNDARY), writes: BOUNDARY },
  timerBoundaryEvent: { ...event("boundary", "catch", ["timer"], BOUNDARY), writes: BOUNDARY },
  messageBoundaryEvent: { ...event("boundary", "catch", ["message"], BOUNDARY), writes: BOUNDARY, implementedBy: "message" },
  signalBoundaryEvent: event("boundary", "catch", ["signal"], BOUNDARY),
  escalationBoundaryEvent: event("boundary", "catch", ["escalation"], BOUNDARY),
  conditionalBoundaryEvent: event("boundary", "catch", ["conditional"], BOUNDARY),
  compensateBoundaryEvent: event("boundary", "catch", ["compensate"], BOUNDARY),
  cancelBoundaryEvent: event("boundary", "catch", ["cancel"], BOUNDARY),
  // BPMN requires a definition; drawn without one, nothing triggers it (as in bpmn-engine)
  boundaryEvent: event("boundary", "catch", ["none"], BOUNDARY),

  // one kind for both: the catch event is a timer when it has a schedule, else it waits for a message
  intermediateCatchEvent: { ...event("intermediate", "catch", ["timer", "message"], CATCH), writes: CATCH, implementedBy: "message" },
  signalCatchEvent: event("intermediate", "catch", ["signal"], CATCH),
  conditionalCatchEvent: event("intermediate", "catch", ["conditional"], CATCH),
  // a link throw event leads to its catch event as if a sequence flow joined them (compile-events.ts)
  linkCatchEvent: { ...event("intermediate", "catch", ["link"], CATCH), incoming: false, startsWhenUnreached: false },
  intermediateThrowEvent: { ...event("intermediate", "throw", ["none"], THROW), writes: THROW },
  messageThrowEvent: { ...event("intermediate", "throw", ["message"], THROW), implementedBy: "send" },
  signalThrowEvent: event("intermediate", "throw", ["signal"], THROW),
  escalationThrowEvent: event("intermediate", "throw", ["escalation"], THROW),
  compensateThrowEvent: event("intermediate", "throw", ["compensate"], THROW),
  linkThrowEvent: { ...event("intermediate", "throw", ["link"], THROW), mayEndPath: true },

  // an error end event is a plain end event with a code: it throws it
  endEvent: { ...event("end", "throw", ["none", "error"], END), writes: END },
  messageEndEvent: { ...event("end", "throw", ["message"], END), implementedBy: "send" },
  signalEndEvent: event("end", "throw", ["signal"], END),
  escalationEndEvent: event("end", "throw", ["escalation"], END),
  compensateEndEvent: event("end", "throw", ["compensate"], END),
  terminateEndEvent: event("end", "throw", ["terminate"], END),
  cancelEndEvent: event("end", "throw", ["cancel"], END),

  multipleStartEvent: { ...event("start", "catch", MULTIPLE_TRIGGERS, START), multiple: true, implementedBy: "message" },
  multipleBoundaryEvent: { ...event("boundary", "catch", MULTIPLE_TRIGGERS, BOUNDARY), multiple: true, implementedBy: "message" },
  multipleCatchEvent: { ...event("intermediate", "catch", MULTIPLE_TRIGGERS, CATCH), multiple: true, implementedBy: "message" },
};

export const ALL_KINDS = Object.keys(KINDS) as NodeKind[];

/** The kinds whose facts satisfy `test`. */
export function kindsWhere(test: (facts: KindFacts, kind: NodeKind) => boolean): ReadonlySet<NodeKind> {
  return new Set(ALL_KINDS.filter((kind) => test(KINDS[kind], kind)));
}

/*
 * Triggers that come from outside a token's path (a clock, a message, a
 * signal, a change of data): they are armed and waited for. The others are
 * thrown along a path, so only an event sub-process's start event can catch
 * them, when something inside its scope throws.
 */
const WAITED_FOR: ReadonlySet<EventTrigger> = new Set<EventTrigger>(["timer", "message", "signal", "conditional"]);

export function isWaitedFor(trigger: EventTrigger): boolean {
  return WAITED_FOR.has(trigger);
}

/* a multiple event catches a trigger only when it has its definition: the kind sets below leave it out, the functions after them look at its fields */
function catches(facts: KindFacts, trigger: EventTrigger): boolean {
  return facts.direction === "catch" && facts.triggers.includes(trigger) && facts.multiple !== true;
}

/** Node kinds that call a user function (or a script). */
export const EXECUTABLE_KINDS = kindsWhere((facts) => facts.runs === "function");
/** Activities that hold a scope of their own (boundary events attach to them like to tasks). */
export const SCOPE_KINDS = kindsWhere((facts) => facts.runs === "scope");
/** Everything a boundary event may be attached to. */
export const ACTIVITY_KINDS = kindsWhere((facts) => facts.family === "activity");
export const GATEWAY_KINDS = kindsWhere((facts) => facts.family === "gateway");
export const BOUNDARY_KINDS = kindsWhere((facts) => facts.position === "boundary");
export const START_KINDS = kindsWhere((facts) => facts.position === "start");
/** Start events that something must trigger: they are not entered when their scope starts. */
export const TRIGGERED_START_KINDS = kindsWhere((facts) => facts.position === "start" && !facts.triggers.includes("none"));
/** Start events of event sub-processes armed while their scope runs (errors, escalations and compensation are thrown to the others). */
export const WATCHED_START_KINDS = kindsWhere((facts) => facts.position === "start" && facts.triggers.some(isWaitedFor));
/** End events: a path stops there. */
export const END_KINDS = kindsWhere((facts) => facts.position === "end");
/** Where a token waits for its event: the targets an event-based gateway may have. */
export const WAIT_KINDS = kindsWhere((facts) => facts.waits);
/** Elements a message flow can bring a message to (a kind that is also a timer only when it names a message). */
export const MESSAGE_CATCH_KINDS = kindsWhere((facts) => catches(facts, "message"));
export const SIGNAL_CATCH_KINDS = kindsWhere((facts) => catches(facts, "signal"));
export const CONDITIONAL_KINDS = kindsWhere((facts) => catches(facts, "conditional"));

/** Events with several event definitions, any one of which triggers them. */
export const MULTIPLE_KINDS = kindsWhere((facts) => facts.multiple === true);

/** The fields of a node that say which event definitions a multiple event has. */
interface EventFields {
  kind: NodeKind;
  messageName?: string | undefined;
  signalName?: string | undefined;
  condition?: unknown;
}

/** Whether the event waits for a condition on data (conditions.ts re-evaluates it when data changes). */
export function watchesData(node: EventFields): boolean {
  return CONDITIONAL_KINDS.has(node.kind) || (MULTIPLE_KINDS.has(node.kind) && node.condition !== undefined);
}

/** Whether a signal of the event's name reaches it. */
export function catchesSignal(node: EventFields): boolean {
  return (SIGNAL_CATCH_KINDS.has(node.kind) || MULTIPLE_KINDS.has(node.kind)) && node.signalName !== undefined;
}

/** Whether a message can reach the event; one that is a timer or a message (intermediateCatchEvent) only when it names a message. */
export function catchesMessage(node: EventFields): boolean {
  if (MULTIPLE_KINDS.has(node.kind)) return node.messageName !== undefined;
  return MESSAGE_CATCH_KINDS.has(node.kind) && (KINDS[node.kind].triggers.length === 1 || node.messageName !== undefined);
}

/** A start event that messages start (a message start event, or a multiple one with a message definition). */
export function isMessageStart(node: EventFields): boolean {
  return node.kind === "messageStartEvent" || (node.kind === "multipleStartEvent" && node.messageName !== undefined);
}

/** The kind an event element with `trigger` is read as; undefined where BPMN allows no such event. */
export function eventKind(element: string, trigger: EventTrigger): NodeKind | undefined {
  return EVENT_KINDS.get(element)?.get(trigger);
}

const EVENT_KINDS: ReadonlyMap<string, ReadonlyMap<EventTrigger, NodeKind>> = (() => {
  const byElement = new Map<string, Map<EventTrigger, NodeKind>>();
  for (const kind of ALL_KINDS) {
    const facts = KINDS[kind];
    if (facts.family !== "event" || facts.multiple) continue;
    for (const element of facts.elements) {
      const byTrigger = byElement.get(element) ?? new Map<EventTrigger, NodeKind>();
      byElement.set(element, byTrigger);
      for (const trigger of facts.triggers) byTrigger.set(trigger, kind);
    }
  }
  return byElement;
})();

/** BPMN element types read as one kind whatever their content (tasks and gateways), and the global tasks a call activity runs. */
export function elementKinds(family: "activity" | "gateway", source: "elements" | "globalTasks" = "elements"): ReadonlyMap<string, NodeKind> {
  const byElement = new Map<string, NodeKind>();
  for (const kind of ALL_KINDS) {
    const facts = KINDS[kind];
    if (facts.family !== family || (family === "activity" && facts.runs !== "function")) continue;
    for (const element of facts[source] ?? []) byElement.set(element, kind);
  }
  return byElement;
}

/** The kind an event element with several event definitions is read as; undefined where adhesive runs none (throw and end events). */
export function multipleKind(element: string): NodeKind | undefined {
  return ALL_KINDS.find((kind) => KINDS[kind].multiple && KINDS[kind].elements.includes(element));
}

/** The event element types (start, end, boundary, intermediate catch and throw). */
export const EVENT_ELEMENTS: ReadonlySet<string> = new Set(EVENT_KINDS.keys());
