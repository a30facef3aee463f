import type { BpmnProblem } from "../errors.js";
import { child, str, unresolvedRef, xmlName, type ModdleElement, type UnresolvedRefs } from "./moddle.js";
import { juelBody, juelToJavaScript } from "../model/juel.js";
import { dedent, foldName } from "./text.js";
import type { RejectedElement } from "./validate.js";

/** State shared while one file is mapped: problems are collected, never thrown. */
export interface ReadContext {
  readonly problems: BpmnProblem[];
  readonly unresolved: UnresolvedRefs;
  /** node id → lane name, innermost lane wins */
  readonly lanes: ReadonlyMap<string, string>;
  readonly rejected: RejectedElement[];
  /** compensate boundary event id → the activity an association links it to */
  readonly associations: ReadonlyMap<string, string>;
  /** root elements by id: what call activities may call (processes, global tasks) */
  readonly globals: ReadonlyMap<string, ModdleElement>;
  /** called element keys → the call activities that call them */
  readonly calls: Map<string, string[]>;
  /** ids given to sequence flows the file wrote without one, and how often each was given */
  readonly generatedIds: Map<string, number>;
  /** the process being read (its extension elements hold embedded forms) */
  readonly process?: ModdleElement;
}

/** The scope a node is mapped into: the process or a sub-process. */
export interface ScopeInfo {
  readonly id: string;
  readonly root: boolean;
  /** sub-processes around it: 0 for the process */
  readonly depth: number;
  /** the scope of an event sub-process: its start event says what starts it */
  readonly eventSubProcess?: boolean;
}

export function problem(ctx: ReadContext, elementId: string, message: string): void {
  ctx.problems.push({ elementId, message });
}

/** `callActivity "Call Activity"`: how problems name an element. */
export function describeElement(element: ModdleElement): string {
  const name = foldName(str(element, "name"));
  return name ? `${xmlName(element)} "${name}"` : xmlName(element);
}

/** Records an element the engine cannot run; it is left out of the model. */
export function reject(ctx: ReadContext, element: ModdleElement, scope: ScopeInfo, message: string): undefined {
  const id = str(element, "id") ?? "";
  problem(ctx, id, message);
  ctx.rejected.push({ id, scope: scope.id, start: element.$type === "bpmn:StartEvent" });
  return undefined;
}

export function unsupported(ctx: ReadContext, element: ModdleElement, scope: ScopeInfo): undefined {
  return reject(ctx, element, scope, `${describeElement(element)} is not supported`);
}

/** Id of a referenced element, or the id the file wrote when it does not resolve. */
export function refId(ctx: ReadContext, element: ModdleElement, property: string): string | undefined {
  return str(child(element, property), "id") ?? unresolvedRef(ctx.unresolved, element, property);
}

/*
 * Expressions are JavaScript (or FEEL with a leading `=`). Files converted
 * from the Python adhesive or from Camunda 7 scripts may still say they are
 * another language; that is reported at load time rather than as a
 * confusing syntax error at run time.
 */
const FOREIGN_LANGUAGE = /python|groovy|ruby|perl|php|mvel/i;

/** Text of an expression child (conditionExpression, loopCondition, ...) of the element `elementId`. */
export function expression(ctx: ReadContext, owner: ModdleElement, property: string, elementId: string): string | undefined {
  const node = child(owner, property);
  if (!node) return undefined;
  const language = str(node, "language");
  if (language && FOREIGN_LANGUAGE.test(language)) {
    problem(ctx, elementId, `${property} is written in "${language}"; expressions must be JavaScript (or FEEL starting with "=")`);
  }
  return fileExpression(ctx, str(node, "body"), elementId, property);
}

/**
 * An expression as the file wrote it, as adhesive runs it: JavaScript, FEEL
 * after `=`, or Camunda 7's `${...}` in the JUEL subset of juel.ts; one
 * outside that subset is a problem naming the element and the expression.
 * Undefined when blank (or refused).
 */
export function fileExpression(ctx: ReadContext, body: string | undefined, elementId: string, what = "expression"): string | undefined {
  if (body === undefined) return undefined;
  const text = dedent(body).trim();
  const juel = juelBody(text);
  if (juel === undefined) return text === "" ? undefined : text;
  if (juel === "") return undefined;
  // toBpmnXml wraps every mapping in `${...}`, FEEL ones too: `${=orders}` is FEEL
  if (juel.startsWith("=")) return juel;
  const translated = juelToJavaScript(juel);
  if ("js" in translated) return translated.js;
  problem(ctx, elementId, `${what} \`${text}\` ${translated.error}`);
  return undefined;
}

/** Optional fields are left out rather than present as undefined, so definitions print cleanly. */
export function withoutUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}
