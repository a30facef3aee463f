import type { NodeDefinition, TimerDefinition, TimerKind } from "../model/definition.js";
import { bool, child, children, str, xmlName, type ModdleElement } from "./moddle.js";
import { describeElement, problem, refId, reject, unsupported, type ReadContext, type ScopeInfo } from "./context.js";
import { foldName } from "./text.js";

/** Fields every node has, already resolved by the caller. */
export type NodeBase = Pick<NodeDefinition, "id" | "name" | "lane">;

const MESSAGE = "bpmn:MessageEventDefinition";
const ERROR = "bpmn:ErrorEventDefinition";
const TIMER = "bpmn:TimerEventDefinition";

export function readEvent(
  ctx: ReadContext,
  element: ModdleElement,
  base: NodeBase,
  scope: ScopeInfo,
): NodeDefinition | undefined {
  const definitions = children(element, "eventDefinitions");
  switch (element.$type) {
    case "bpmn:StartEvent":
      return startEvent(ctx, element, base, scope, definitions);
    case "bpmn:EndEvent":
      return endEvent(ctx, element, base, scope, definitions);
    case "bpmn:BoundaryEvent":
      return boundaryEvent(ctx, element, base, scope, definitions);
    case "bpmn:IntermediateCatchEvent":
      return catchEvent(ctx, element, base, scope, definitions);
    case "bpmn:IntermediateThrowEvent":
      if (definitions.length === 0) return { ...base, kind: "intermediateThrowEvent" };
      return withDefinitions(ctx, element, scope, definitions);
    default:
      return unsupported(ctx, element, scope);
  }
}

function startEvent(
  ctx: ReadContext,
  element: ModdleElement,
  base: NodeBase,
  scope: ScopeInfo,
  definitions: ModdleElement[],
): NodeDefinition | undefined {
  if (definitions.length === 0) return { ...base, kind: "startEvent" };
  if (!isOnly(definitions, MESSAGE)) return withDefinitions(ctx, element, scope, definitions);
  // messages come from message() sources, which start process instances, not sub-process ones
  if (!scope.root) {
    return reject(ctx, element, scope, `${describeElement(element)}: message start events are only supported at the process level`);
  }
  return { ...base, kind: "messageStartEvent", messageName: messageName(definitions[0], base.name) };
}

function endEvent(
  ctx: ReadContext,
  element: ModdleElement,
  base: NodeBase,
  scope: ScopeInfo,
  definitions: ModdleElement[],
): NodeDefinition | undefined {
  if (definitions.length === 0) return { ...base, kind: "endEvent" };
  if (!isOnly(definitions, ERROR)) return withDefinitions(ctx, element, scope, definitions);
  return { ...base, kind: "endEvent", errorCode: errorCode(definitions[0]) ?? "" };
}

function boundaryEvent(
  ctx: ReadContext,
  element: ModdleElement,
  base: NodeBase,
  scope: ScopeInfo,
  definitions: ModdleElement[],
): NodeDefinition | undefined {
  const attachment = {
    attachedTo: refId(ctx, element, "attachedToRef") ?? "",
    interrupting: bool(element, "cancelActivity", true),
  };
  if (definitions.length === 0) return reject(ctx, element, scope, `${describeElement(element)} has no event definition`);
  if (definitions.length > 1) return withDefinitions(ctx, element, scope, definitions);
  const [definition] = definitions;
  switch (definition.$type) {
    case ERROR:
      return { ...base, kind: "errorBoundaryEvent", ...attachment, errorCode: errorCode(definition) };
    case TIMER:
      return { ...base, kind: "timerBoundaryEvent", ...attachment, timer: timer(ctx, definition, base.id) };
    case MESSAGE:
      return { ...base, kind: "messageBoundaryEvent", ...attachment, messageName: messageName(definition, base.name) };
    default:
      return withDefinitions(ctx, element, scope, definitions);
  }
}

function catchEvent(
  ctx: ReadContext,
  element: ModdleElement,
  base: NodeBase,
  scope: ScopeInfo,
  definitions: ModdleElement[],
): NodeDefinition | undefined {
  if (isOnly(definitions, TIMER)) {
    return { ...base, kind: "intermediateCatchEvent", timer: timer(ctx, definitions[0], base.id) };
  }
  if (isOnly(definitions, MESSAGE)) {
    return { ...base, kind: "intermediateCatchEvent", messageName: messageName(definitions[0], base.name) };
  }
  if (definitions.length === 0) return reject(ctx, element, scope, `${describeElement(element)} has no event definition`);
  return withDefinitions(ctx, element, scope, definitions);
}

function isOnly(definitions: ModdleElement[], type: string): boolean {
  return definitions.length === 1 && definitions[0].$type === type;
}

/** Rejects an event whose definitions (timer start, terminate end, link, ...) the engine does not run. */
function withDefinitions(ctx: ReadContext, element: ModdleElement, scope: ScopeInfo, definitions: ModdleElement[]): undefined {
  const kinds = definitions.map(xmlName).join(", ");
  return reject(ctx, element, scope, `${describeElement(element)} with ${kinds} is not supported`);
}

/** The referenced message's name is what message() sources match; the event name is the fallback. */
function messageName(definition: ModdleElement, eventName: string): string {
  return foldName(str(child(definition, "messageRef"), "name")) || eventName;
}

/** undefined means "no error referenced", i.e. a catch-all boundary. */
function errorCode(definition: ModdleElement): string | undefined {
  const error = child(definition, "errorRef");
  if (!error) return undefined;
  return str(error, "errorCode") ?? str(error, "name") ?? "";
}

const TIMER_FIELDS: ReadonlyArray<[TimerKind, string]> = [
  ["duration", "timeDuration"],
  ["cycle", "timeCycle"],
  ["date", "timeDate"],
];

function timer(ctx: ReadContext, definition: ModdleElement, elementId: string): TimerDefinition | undefined {
  for (const [kind, property] of TIMER_FIELDS) {
    const value = str(child(definition, property), "body")?.trim();
    if (value) return { kind, value };
  }
  problem(ctx, elementId, "timer event has no timeDuration, timeCycle or timeDate value");
  return undefined;
}
