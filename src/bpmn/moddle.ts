import type { BpmnModdleInstance, ModdleWarning } from "bpmn-moddle";
import type { BpmnProblem } from "../errors.js";

/**
 * A node of the tree bpmn-moddle builds. Every property is read through the
 * accessors below, which check its runtime type: the file is untrusted input.
 */
export interface ModdleElement {
  readonly $type: string;
  readonly $attrs?: Readonly<Record<string, unknown>>;
  readonly $parent?: unknown;
  readonly [property: string]: unknown;
}

export function isElement(value: unknown): value is ModdleElement {
  return typeof value === "object" && value !== null && typeof (value as { $type?: unknown }).$type === "string";
}

export function child(element: ModdleElement, property: string): ModdleElement | undefined {
  const value = element[property];
  return isElement(value) ? value : undefined;
}

export function children(element: ModdleElement, property: string): ModdleElement[] {
  const value = element[property];
  return Array.isArray(value) ? value.filter(isElement) : [];
}

export function str(element: ModdleElement | undefined, property: string): string | undefined {
  const value = element?.[property];
  return typeof value === "string" ? value : undefined;
}

export function bool(element: ModdleElement, property: string, fallback: boolean): boolean {
  const value = element[property];
  return typeof value === "boolean" ? value : fallback;
}

/** Body of an expression child such as `conditionExpression` or `loopCondition`. */
export function body(element: ModdleElement, property: string): string | undefined {
  return str(child(element, property), "body");
}

/** An attribute from any namespace by local name, e.g. `flowable:collection`. */
export function attrByLocalName(element: ModdleElement, localName: string): string | undefined {
  for (const [key, value] of Object.entries(element.$attrs ?? {})) {
    if (typeof value === "string" && key.split(":").pop() === localName) return value;
  }
  return undefined;
}

/** `bpmn:CallActivity` → `callActivity`, the spelling users see in the XML. */
export function xmlName(element: ModdleElement): string {
  const local = element.$type.split(":").pop() ?? element.$type;
  return local.charAt(0).toLowerCase() + local.slice(1);
}

/** The id of the element or of its closest ancestor that has one. */
export function nearestId(value: unknown): string {
  for (let current = value; isElement(current); current = current.$parent) {
    const id = str(current, "id");
    if (id) return id;
  }
  return "";
}

/**
 * References moddle could not resolve, kept by element and property so the
 * reader can report the id the file actually wrote instead of "missing".
 */
export type UnresolvedRefs = Map<ModdleElement, Map<string, string>>;

export function unresolvedRef(refs: UnresolvedRefs, element: ModdleElement, property: string): string | undefined {
  return refs.get(element)?.get(property);
}

export interface ParsedXml {
  definitions?: ModdleElement;
  problems: BpmnProblem[];
  unresolved: UnresolvedRefs;
}

export const ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0";
let readingModdle: BpmnModdleInstance | undefined;
let camundaModdle: BpmnModdleInstance | undefined;

/*
 * Files are read with both vendors' descriptors: Camunda's modelers write
 * Zeebe extensions and `camunda:` attributes into one Camunda 8 file (Web
 * Modeler's camunda:diagramRelationId, a C7 diagram migrated to C8), and
 * toBpmnXml writes Camunda 7 extensions beside a Zeebe correlation key. The
 * two descriptors both add `modelerTemplate` to every flow element, which
 * moddle refuses; Zeebe's copy is left out (templates do not change how a
 * process runs, and the attribute still arrives in `$attrs`).
 */
async function readingModdleOnce(): Promise<BpmnModdleInstance> {
  if (readingModdle !== undefined) return readingModdle;
  const [{ BpmnModdle }, camunda, zeebe] = await Promise.all([
    import("bpmn-moddle"),
    import("camunda-bpmn-moddle/resources/camunda.json", { with: { type: "json" } }),
    import("zeebe-bpmn-moddle/resources/zeebe.json", { with: { type: "json" } }),
  ]);
  const zeebeTypes = zeebe.default.types.filter((type: { name: string }) => type.name !== "TemplateSupported");
  readingModdle = new BpmnModdle({ camunda: camunda.default, zeebe: { ...zeebe.default, types: zeebeTypes } });
  return readingModdle;
}

/** bpmn-moddle with Camunda 7's extensions, what toBpmnXml writes with; loaded when first used, not when adhesive is imported. */
export async function createModdle(): Promise<BpmnModdleInstance> {
  if (camundaModdle !== undefined) return camundaModdle;
  const [{ BpmnModdle }, descriptor] = await Promise.all([
    import("bpmn-moddle"),
    import("camunda-bpmn-moddle/resources/camunda.json", { with: { type: "json" } }),
  ]);
  camundaModdle = new BpmnModdle({ camunda: descriptor.default });
  return camundaModdle;
}

export async function parseXml(xml: string): Promise<ParsedXml> {
  const unresolved: UnresolvedRefs = new Map();
  const text = xml.replace(/^\uFEFF/, "");
  if (text.trim() === "") return { problems: [{ elementId: "", message: "the file is empty" }], unresolved };
  let result;
  try {
    result = await (await readingModdleOnce()).fromXML(text, "bpmn:Definitions");
  } catch (error) {
    return { problems: [parseFailure(error)], unresolved };
  }
  const problems = result.warnings.flatMap((warning) => warningProblems(warning, unresolved));
  const root = result.rootElement;
  if (!isElement(root)) return { problems: [...problems, notBpmn()], unresolved };
  return { definitions: root, problems, unresolved };
}

function notBpmn(): BpmnProblem {
  return {
    elementId: "",
    message: "not a BPMN 2.0 file: the root element must be <definitions> in the namespace http://www.omg.org/spec/BPMN/20100524/MODEL",
  };
}

function parseFailure(error: unknown): BpmnProblem {
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith("failed to parse document as")) return notBpmn();
  return { elementId: "", message: `not well-formed XML: ${describeUnparsable(message)}` };
}

/** moddle's multi-line "unparsable content" text as one line with 1-based positions. */
function describeUnparsable(message: string): string {
  const match = /^unparsable content\s*([\s\S]*?)\s*detected\s+line: (\d+)\s+column: (\d+)\s+nested error: ([\s\S]*)$/.exec(message);
  if (!match) return message.split("\n")[0] ?? message;
  const [, content, line, column, nested] = match;
  const excerpt = content.split("\n")[0].slice(0, 60);
  const what = excerpt ? ` near ${excerpt}` : "";
  return `${nested.trim()}${what} (line ${Number(line) + 1}, column ${Number(column) + 1})`;
}

/*
 * References that decide how the process runs are problems when dangling.
 * sourceRef/targetRef/attachedToRef/default are only recorded: the structural
 * checks report them with context; a multi-instance loop's data references
 * are data keys by their text (loop.ts). Others (itemSubjectRef, incoming/outgoing,
 * which repeat the sequence flows) do not change execution and are ignored.
 */
const RECORDED_REFS = new Set(["sourceRef", "targetRef", "attachedToRef", "default", "loopDataInputRef", "loopDataOutputRef"]);
const REPORTED_REFS = new Set(["messageRef", "errorRef", "flowNodeRef", "processRef", "signalRef", "escalationRef"]);

function warningProblems(warning: ModdleWarning, unresolved: UnresolvedRefs): BpmnProblem[] {
  if (warning.message.startsWith("unresolved reference")) return referenceProblems(warning, unresolved);
  if (warning.message.startsWith("unparsable content")) return unparsableProblems(warning.message);
  // unknown attributes and similar leave the model intact
  return [];
}

function referenceProblems(warning: ModdleWarning, unresolved: UnresolvedRefs): BpmnProblem[] {
  const property = (warning.property ?? "").split(":").pop() ?? "";
  const value = String(warning.value ?? "");
  const element = warning.element;
  if (RECORDED_REFS.has(property) && isElement(element)) {
    const byProperty = unresolved.get(element) ?? new Map<string, string>();
    unresolved.set(element, byProperty.set(property, value));
    return [];
  }
  if (!REPORTED_REFS.has(property)) return [];
  return [{ elementId: nearestId(element), message: `${property} "${value}" refers to an element that does not exist` }];
}

function unparsableProblems(message: string): BpmnProblem[] {
  const duplicate = /nested error: duplicate ID <([^>]*)>/.exec(message);
  if (duplicate) return [{ elementId: duplicate[1], message: "duplicate id: more than one element of the file has it" }];
  // a DOCTYPE makes moddle complain about text outside the root; the model is fine
  if (message.includes("non-whitespace outside of root node")) return [];
  return [{ elementId: "", message: `unreadable content: ${describeUnparsable(message)}` }];
}
