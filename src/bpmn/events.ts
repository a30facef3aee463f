import type { NodeDefinition, NodeKind, TimerDefinition, TimerKind } from "../model/definition.js";
import { eventKind, isWaitedFor, multipleKind, type EventTrigger } from "../model/kinds.js";
import { bool, child, children, str, xmlName, type ModdleElement } from "./moddle.js";
import { describeElement, expression, problem, refId, reject, unsupported, type ReadContext, type ScopeInfo } from "./context.js";
import { foldName } from "./text.js";
import { extension } from "./pools.js";

/** Fields every node has, already resolved by the caller. */
export type NodeBase = Pick<NodeDefinition, "id" | "name" | "lane">;

const TRIGGERS: ReadonlyMap<string, EventTrigger> = new Map<string, EventTrigger>([
  ["bpmn:MessageEventDefinition", "message"],
  ["bpmn:TimerEventDefinition", "timer"],
  ["bpmn:ErrorEventDefinition", "error"],
  ["bpmn:EscalationEventDefinition", "escalation"],
  ["bpmn:SignalEventDefinition", "signal"],
  ["bpmn:ConditionalEventDefinition", "conditional"],
  ["bpmn:LinkEventDefinition", "link"],
  ["bpmn:TerminateEventDefinition", "terminate"],
  ["bpmn:CompensateEventDefinition", "compensate"],
  ["bpmn:CancelEventDefinition", "cancel"],
]);

/* start events that only an event sub-process may have: nothing else can raise them */
function subProcessOnly(trigger: EventTrigger): boolean {
  return eventKind("bpmn:StartEvent", trigger) !== undefined && !isWaitedFor(trigger);
}

export function readEvent(ctx: ReadContext, element: ModdleElement, base: NodeBase, scope: ScopeInfo): NodeDefinition | undefined {
  const definitions = [...children(element, "eventDefinitions"), ...children(element, "eventDefinitionRefs")];
  if (definitions.length > 1) return multiple(ctx, element, base, scope, definitions);
  const definition = definitions[0];
  const trigger = definition === undefined ? undefined : TRIGGERS.get(definition.$type);
  if (definition !== undefined && trigger === undefined) return withDefinitions(ctx, element, scope, definitions);
  switch (element.$type) {
    case "bpmn:StartEvent":
      return startEvent(ctx, element, base, scope, definition, trigger);
    case "bpmn:EndEvent":
      if (trigger === undefined) return { ...base, kind: "endEvent" };
      return triggered(ctx, element, base, scope, definition!, eventKind("bpmn:EndEvent", trigger));
    case "bpmn:BoundaryEvent":
      return boundaryEvent(ctx, element, base, scope, definition, trigger);
    case "bpmn:IntermediateCatchEvent":
      if (trigger === undefined) return reject(ctx, element, scope, `${describeElement(element)} has no event definition`);
      return triggered(ctx, element, base, scope, definition!, eventKind("bpmn:IntermediateCatchEvent", trigger));
    case "bpmn:IntermediateThrowEvent":
      if (trigger === undefined) return { ...base, kind: "intermediateThrowEvent" };
      return triggered(ctx, element, base, scope, definition!, eventKind("bpmn:IntermediateThrowEvent", trigger));
    default:
      return unsupported(ctx, element, scope);
  }
}

function startEvent(
  ctx: ReadContext,
  element: ModdleElement,
  base: NodeBase,
  scope: ScopeInfo,
  definition: ModdleElement | undefined,
  trigger: EventTrigger | undefined,
): NodeDefinition | undefined {
  if (scope.eventSubProcess) {
    if (trigger === undefined) return reject(ctx, element, scope, `${describeElement(element)} starts an event sub-process but has no event definition`);
  } else if (trigger === undefined) {
    return { ...base, kind: "startEvent" };
  } else if (!scope.root || subProcessOnly(trigger)) {
    const where = subProcessOnly(trigger) ? "event sub-processes" : "processes and event sub-processes";
    return reject(ctx, element, scope, `${describeElement(element)} with ${xmlName(definition!)}: such start events only start ${where}`);
  }
  const node = triggered(ctx, element, base, scope, definition!, eventKind("bpmn:StartEvent", trigger));
  if (node !== undefined) interruption(ctx, element, node, scope);
  return node;
}

function boundaryEvent(
  ctx: ReadContext,
  element: ModdleElement,
  base: NodeBase,
  scope: ScopeInfo,
  definition: ModdleElement | undefined,
  trigger: EventTrigger | undefined,
): NodeDefinition | undefined {
  const node = trigger === undefined ? { ...base, kind: "boundaryEvent" as const } : triggered(ctx, element, base, scope, definition!, eventKind("bpmn:BoundaryEvent", trigger));
  if (node === undefined) return undefined;
  interruption(ctx, element, node, scope);
  if (trigger === "compensate") node.handler = ctx.associations.get(base.id);
  return node;
}

/* what a boundary event is attached to and whether it interrupts it; whether an event sub-process's start event interrupts its scope (no other start event can) */
function interruption(ctx: ReadContext, element: ModdleElement, node: NodeDefinition, scope: ScopeInfo): void {
  if (element.$type === "bpmn:BoundaryEvent") {
    node.attachedTo = refId(ctx, element, "attachedToRef") ?? "";
    node.interrupting = bool(element, "cancelActivity", true);
  } else if (element.$type === "bpmn:StartEvent" && scope.eventSubProcess) {
    node.interrupting = bool(element, "isInterrupting", true);
  }
}

/** The event of `kind` with what its definition says: which message, timer, error, signal, ... */
function triggered(
  ctx: ReadContext,
  element: ModdleElement,
  base: NodeBase,
  scope: ScopeInfo,
  definition: ModdleElement,
  kind: NodeKind | undefined,
): NodeDefinition | undefined {
  if (kind === undefined) return withDefinitions(ctx, element, scope, [definition]);
  const node: NodeDefinition = { ...base, kind };
  fill(ctx, element, node, definition);
  return node;
}

/** Sets on `node` what `definition` says: which message, timer, error, signal, ... */
function fill(ctx: ReadContext, element: ModdleElement, node: NodeDefinition, definition: ModdleElement): void {
  switch (TRIGGERS.get(definition.$type)) {
    case "message":
      node.messageName = messageName(definition, node.name);
      node.correlationKey = correlationKey(child(definition, "messageRef"));
      break;
    case "timer":
      node.timer = timer(definition);
      break;
    case "error":
      // an error end event always throws (its code may be ""); a boundary or start without one catches every error
      node.errorCode = errorCode(definition) ?? (node.kind === "endEvent" ? "" : undefined);
      break;
    case "escalation":
      node.escalationCode = escalationCode(definition);
      break;
    case "signal":
      node.signalName = foldName(str(child(definition, "signalRef"), "name")) || str(child(definition, "signalRef"), "id") || node.name;
      break;
    case "conditional":
      // without one the code gives it: condition("<its name>", "approved")
      node.condition = expression(ctx, definition, "condition", node.id);
      break;
    case "link":
      node.linkName = foldName(str(definition, "name")) || node.name;
      if (!node.linkName) problem(ctx, node.id, `${describeElement(element)} has no link name to pair its throw and catch events`);
      break;
    case "compensate":
      node.compensates = str(child(definition, "activityRef"), "id");
      break;
    default:
      break;
  }
}

/*
 * A catch, boundary or start event with several event definitions (BPMN
 * "Multiple", §10.5): any one of them triggers it. adhesive runs those that
 * are waited for (message, timer, signal, conditional), one of each, given
 * in the file (the code gives a multiple event no timer or condition: it
 * would not know which event of the name it is for). A parallel multiple
 * event (all of them) and throw events with several definitions are
 * refused, naming the element and why.
 */
function multiple(ctx: ReadContext, element: ModdleElement, base: NodeBase, scope: ScopeInfo, definitions: ModdleElement[]): NodeDefinition | undefined {
  const what = `${describeElement(element)} with ${definitions.map(xmlName).join(", ")}`;
  const kind = multipleKind(element.$type);
  if (kind === undefined) return reject(ctx, element, scope, `${what}: a throw or end event that throws several event definitions is not supported; throw each with its own event`);
  if (bool(element, "parallelMultiple", false)) {
    return reject(ctx, element, scope, `${what} is parallel multiple (parallelMultiple="true"): waiting for all of its events is not supported; catch each with its own event after a parallel gateway`);
  }
  const triggers = definitions.map((definition) => TRIGGERS.get(definition.$type));
  const other = definitions.filter((_, i) => triggers[i] === undefined || !isWaitedFor(triggers[i]!));
  if (other.length > 0) return reject(ctx, element, scope, `${what}: a multiple event combines message, timer, signal and conditional definitions; ${other.map(xmlName).join(", ")} is not one of them`);
  const twice = triggers.find((trigger, i) => triggers.indexOf(trigger) !== i);
  if (twice !== undefined) return reject(ctx, element, scope, `${what}: a multiple event takes one definition of each kind, this one has several ${twice} definitions`);
  if (element.$type === "bpmn:StartEvent" && !scope.root && !scope.eventSubProcess) {
    return reject(ctx, element, scope, `${what}: such start events only start processes and event sub-processes`);
  }
  const node: NodeDefinition = { ...base, kind };
  for (const definition of definitions) fill(ctx, element, node, definition);
  if (node.timer !== undefined && node.timer.value === "") return reject(ctx, element, scope, `${what}: its timer has no value; a multiple event takes its timer from the file`);
  if (triggers.includes("conditional") && node.condition === undefined) return reject(ctx, element, scope, `${what}: its conditional definition has no condition; a multiple event takes its condition from the file`);
  interruption(ctx, element, node, scope);
  return node;
}

/** Rejects an event whose definitions the engine does not run. */
function withDefinitions(ctx: ReadContext, element: ModdleElement, scope: ScopeInfo, definitions: ModdleElement[]): undefined {
  return reject(ctx, element, scope, `${describeElement(element)} with ${definitions.map(xmlName).join(", ")} is not supported`);
}

/** The referenced message's name is what message() sources match; the event name is the fallback. */
function messageName(definition: ModdleElement, eventName: string): string {
  return foldName(str(child(definition, "messageRef"), "name")) || eventName;
}

/** Zeebe's subscription key of a message: a FEEL expression (`=orderId`) over the waiting token's data, or a fixed value. */
export function correlationKey(message: ModdleElement | undefined): string | undefined {
  return str(extension(message, "zeebe:subscription"), "correlationKey")?.trim() || undefined;
}

/** undefined means "no error referenced", i.e. a catch-all boundary. */
function errorCode(definition: ModdleElement): string | undefined {
  const error = child(definition, "errorRef");
  if (!error) return undefined;
  return str(error, "errorCode") ?? str(error, "name") ?? "";
}

function escalationCode(definition: ModdleElement): string | undefined {
  const escalation = child(definition, "escalationRef");
  if (!escalation) return undefined;
  return str(escalation, "escalationCode") ?? str(escalation, "name") ?? "";
}

const TIMER_FIELDS: ReadonlyArray<[TimerKind, string]> = [
  ["duration", "timeDuration"],
  ["cycle", "timeCycle"],
  ["date", "timeDate"],
];

function timer(definition: ModdleElement): TimerDefinition {
  for (const [kind, property] of TIMER_FIELDS) {
    const value = str(child(definition, property), "body")?.trim();
    if (value) return { kind, value };
  }
  // a timer drawn without a value takes it from the code: timer("<its name>", "PT5M")
  return { kind: "duration", value: "" };
}
