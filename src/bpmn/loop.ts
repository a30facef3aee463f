import type { LoopDefinition } from "../model/definition.js";
import { attrByLocalName, bool, child, children, str, type ModdleElement } from "./moddle.js";
import { expression, fileExpression, problem, withoutUndefined, type ReadContext } from "./context.js";

/** Loop marker of an activity, if any. */
export function readLoop(ctx: ReadContext, activity: ModdleElement, elementId: string): LoopDefinition | undefined {
  const characteristics = child(activity, "loopCharacteristics");
  if (!characteristics) return undefined;
  const loop =
    characteristics.$type === "bpmn:StandardLoopCharacteristics"
      ? standardLoop(ctx, characteristics, elementId)
      : multiInstanceLoop(ctx, characteristics, elementId);
  // a marker without anything to iterate on takes its loop from the code (the `loop` option of the element's task())
  return withoutUndefined(loop);
}

/*
 * adhesive semantics: the loopCondition is the collection/condition and a
 * collection's iterations run in parallel; a condition honours testBefore
 * (false, do-while, unless the file says otherwise) and loopMaximum.
 */
function standardLoop(ctx: ReadContext, loop: ModdleElement, elementId: string): LoopDefinition {
  return {
    expression: expression(ctx, loop, "loopCondition", elementId),
    sequential: false,
    testBefore: bool(loop, "testBefore", false),
    maximum: loopMaximum(ctx, loop, elementId),
    source: "standardLoop",
  };
}

/* moddle reads the attribute with parseInt: text that does not start with a whole number arrives as NaN */
function loopMaximum(ctx: ReadContext, loop: ModdleElement, elementId: string): number | undefined {
  const value = loop.loopMaximum;
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    problem(ctx, elementId, `loopMaximum must be a whole number of iterations (0 or more), got ${String(value)}`);
    return undefined;
  }
  return value;
}

function multiInstanceLoop(ctx: ReadContext, loop: ModdleElement, elementId: string): LoopDefinition {
  if (children(loop, "complexBehaviorDefinition").length > 0) {
    problem(ctx, elementId, "complexBehaviorDefinition is not supported");
  }
  const cardinality = expression(ctx, loop, "loopCardinality", elementId);
  const { collection, elementVariable, outputCollection, outputElement } = collectionOf(ctx, loop, elementId);
  const completion = expression(ctx, loop, "completionCondition", elementId);
  // the Python adhesive put its loop expression in completionCondition; keep reading it that way
  const standalone = collection === undefined && cardinality === undefined;
  return {
    expression: standalone ? completion : undefined,
    cardinality,
    collection,
    elementVariable,
    completionCondition: standalone ? undefined : completion,
    outputCollection,
    outputElement,
    sequential: bool(loop, "isSequential", false),
    source: "multiInstance",
  };
}

interface Collection {
  collection?: string;
  elementVariable?: string;
  outputCollection?: string;
  outputElement?: string;
}

/** Camunda 8 extension element first, then Camunda 7 (or Flowable/Activiti) attributes. */
function collectionOf(ctx: ReadContext, loop: ModdleElement, elementId: string): Collection {
  const zeebe = zeebeLoop(loop);
  const collection = str(zeebe, "inputCollection")?.trim() || fileExpression(ctx, str(loop, "collection") ?? attrByLocalName(loop, "collection"), elementId, "collection");
  const elementVariable = str(zeebe, "inputElement") ?? str(loop, "elementVariable") ?? attrByLocalName(loop, "elementVariable");
  return {
    collection: collection || undefined,
    elementVariable: elementVariable?.trim() || undefined,
    outputCollection: str(zeebe, "outputCollection")?.trim() || undefined,
    outputElement: str(zeebe, "outputElement")?.trim() || undefined,
  };
}

function zeebeLoop(loop: ModdleElement): ModdleElement | undefined {
  const extensions = child(loop, "extensionElements");
  const values = extensions ? children(extensions, "values") : [];
  // without the zeebe descriptor the element arrives generic, spelled as in the XML
  return values.find((value) => value.$type.toLowerCase() === "zeebe:loopcharacteristics");
}
