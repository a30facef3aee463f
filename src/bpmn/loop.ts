import type { LoopDefinition } from "../model/definition.js";
import { attrByLocalName, bool, child, children, str, unresolvedRef, type ModdleElement } from "./moddle.js";
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

/** Camunda 8 extension element first, then Camunda 7 (or Flowable/Activiti) attributes, then BPMN's own data references. */
function collectionOf(ctx: ReadContext, loop: ModdleElement, elementId: string): Collection {
  const zeebe = zeebeLoop(loop);
  const bpmn = dataItems(ctx, loop);
  const collection = str(zeebe, "inputCollection")?.trim() || fileExpression(ctx, str(loop, "collection") ?? attrByLocalName(loop, "collection"), elementId, "collection");
  const elementVariable = str(zeebe, "inputElement") ?? str(loop, "elementVariable") ?? attrByLocalName(loop, "elementVariable");
  return {
    collection: collection || bpmn.collection,
    elementVariable: elementVariable?.trim() || bpmn.elementVariable,
    outputCollection: str(zeebe, "outputCollection")?.trim() || bpmn.outputCollection,
    outputElement: str(zeebe, "outputElement")?.trim() || bpmn.outputElement,
  };
}

/*
 * BPMN 2.0 (§10.3.8) names the data a multi-instance activity iterates
 * over: loopDataInputRef is the collection, inputDataItem what each
 * instance gets of it, outputDataItem what each instance leaves, and
 * loopDataOutputRef the collection of those. Here each is a data key: the
 * referenced element's name (or id), or the reference's text when it names
 * no element (SpiffWorkflow writes variable names there).
 */
function dataItems(ctx: ReadContext, loop: ModdleElement): Collection {
  const input = dataKey(ctx, loop, "loopDataInputRef");
  const output = dataKey(ctx, loop, "loopDataOutputRef");
  const outputItem = itemName(child(loop, "outputDataItem"));
  return {
    collection: input === undefined ? undefined : keyExpression(input),
    elementVariable: itemName(child(loop, "inputDataItem")),
    outputCollection: output,
    outputElement: output === undefined || outputItem === undefined ? undefined : keyExpression(outputItem),
  };
}

function dataKey(ctx: ReadContext, loop: ModdleElement, property: string): string | undefined {
  return itemName(child(loop, property)) ?? (unresolvedRef(ctx.unresolved, loop, property)?.trim() || undefined);
}

function itemName(item: ModdleElement | undefined): string | undefined {
  return (str(item, "name")?.trim() || str(item, "id")?.trim()) || undefined;
}

/* `data["order items"]`: a key that is no identifier still reads as one expression */
function keyExpression(key: string): string {
  return `data[${JSON.stringify(key)}]`;
}

function zeebeLoop(loop: ModdleElement): ModdleElement | undefined {
  const extensions = child(loop, "extensionElements");
  const values = extensions ? children(extensions, "values") : [];
  // without the zeebe descriptor the element arrives generic, spelled as in the XML
  return values.find((value) => value.$type.toLowerCase() === "zeebe:loopcharacteristics");
}
